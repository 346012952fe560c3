// Decisions on the account itself (create, settings, suspend, reactivate, close), and the
// dispatch of every command to the rules of its family.
#include "domain/account_rules.h"

#include <algorithm>
#include <array>
#include <cassert>

#include "domain/rules_internal.h"
#include "events/event_types.h"

namespace dialtone::domain {

namespace internal {

events::EventData WithContext(events::EventData event, const commands::CommandContext& context) {
  event.principal = context.principal;
  event.correlation_id = context.correlation_id;
  event.causation_id = context.causation_id;
  return event;
}

}  // namespace internal

namespace {

using commands::AccountCommand;
using commands::CommandError;
using events::AccountSettings;
using events::EventData;
using google::protobuf::FieldDescriptor;

// Checks every field present in `s` against its domain.
Status ValidateSettings(const AccountSettings& s) {
  if (s.has_name() && s.name().empty()) return Status::InvalidArgument("name must not be empty");
  if (s.has_timezone() && s.timezone().empty()) {
    return Status::InvalidArgument("timezone must not be empty");
  }
  if (s.has_language() && s.language().empty()) {
    return Status::InvalidArgument("language must not be empty");
  }
  if (s.has_max_in() && s.max_in() < 0) return Status::InvalidArgument("max_in must be >= 0");
  if (s.has_max_out() && s.max_out() < 0) return Status::InvalidArgument("max_out must be >= 0");
  if (s.has_max_dialer() && s.max_dialer() < 0) {
    return Status::InvalidArgument("max_dialer must be >= 0");
  }
  if (s.has_voice_gender() && s.voice_gender() != "male" && s.voice_gender() != "female") {
    return Status::InvalidArgument("voice_gender must be 'male' or 'female', not '" +
                                   s.voice_gender() + "'");
  }
  if (s.has_did_default_dest_kind() && !s.did_default_dest_kind().empty() &&
      !IsValidDestinationKind(s.did_default_dest_kind())) {
    return Status::InvalidArgument("did_default_dest_kind '" + s.did_default_dest_kind() +
                                   "' is not one of flow, user, extension, ring_group, queue, "
                                   "voicemail, conference, forward, hangup");
  }
  return Status::Ok();
}

// The settings that may be null (absent): everything but name, timezone, language,
// voice_gender and is_reseller.
constexpr std::array<std::string_view, 8> kOptionalSettings = {
    "brand_name", "brand_domain", "max_in", "max_out", "max_dialer", "default_cid_number",
    "did_default_dest_kind", "did_default_dest_id"};

bool IsOptionalSetting(std::string_view name) {
  return std::find(kOptionalSettings.begin(), kOptionalSettings.end(), name) != kOptionalSettings.end();
}

// The account's own destination for unrouted DIDs must name a resource it has (hangup
// names none).
CommandError CheckAccountDestination(const AccountState& state, const AccountSettings& settings) {
  const std::string kind = settings.has_did_default_dest_kind() ? settings.did_default_dest_kind() : "";
  const std::string id = settings.has_did_default_dest_id() ? settings.did_default_dest_id() : "";
  if (kind.empty()) {
    if (!id.empty()) {
      return CommandError::InvalidField("did_default_dest_id", "is set but did_default_dest_kind is null");
    }
    return {};
  }
  if (kind == "hangup") {
    if (!id.empty()) {
      return CommandError::InvalidField("did_default_dest_id", "must be null when the destination is hangup");
    }
    return {};
  }
  if (id.empty()) {
    return CommandError::InvalidField("did_default_dest_id", "is required when did_default_dest_kind is " + kind);
  }
  if (state.FindResource(kind, id) == nullptr) {
    return CommandError::InvalidField("did_default_dest_id", "no " + kind + " '" + id + "' in this account");
  }
  return {};
}

// The fields present in `requested` whose value differs from `current`.
AccountSettings ChangedFields(const AccountSettings& current, const AccountSettings& requested) {
  AccountSettings changes;
  const auto* descriptor = AccountSettings::descriptor();
  const auto* reflection = AccountSettings::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!reflection->HasField(requested, field)) continue;
    bool differs = !reflection->HasField(current, field);
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        differs = differs ||
                  reflection->GetString(current, field) != reflection->GetString(requested, field);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        differs = differs ||
                  reflection->GetInt32(current, field) != reflection->GetInt32(requested, field);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        differs = differs ||
                  reflection->GetBool(current, field) != reflection->GetBool(requested, field);
        break;
      default:
        assert(false && "AccountSettings holds a field type ChangedFields does not compare");
        differs = true;
    }
    if (!differs) continue;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(&changes, field, reflection->GetString(requested, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(&changes, field, reflection->GetInt32(requested, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(&changes, field, reflection->GetBool(requested, field));
        break;
      default:
        break;
    }
  }
  return changes;
}

}  // namespace

Decided DecideAccountCommand(const AccountState& state, const AccountCommand& command,
                             std::chrono::system_clock::time_point now, const DecideOptions& options) {
  using Kind = AccountCommand::Kind;
  if (Status s = ValidateAccountId(command.account_id); !s.ok()) return CommandError(s);
  assert((!state.exists() || state.account_id == command.account_id) &&
         "a command was routed to another account's state");
  const std::string& id = command.account_id;

  if (command.kind == Kind::kCreate) {
    if (state.exists()) return CommandError(Status::AlreadyExists("account '" + id + "' already exists"));
  } else if (!state.exists()) {
    return CommandError(Status::NotFound("account '" + id + "' does not exist"));
  }
  if (command.expected_version && *command.expected_version != state.version) {
    return CommandError::VersionMismatch("account '" + id + "' is at version " + std::to_string(state.version) +
                                             ", not the expected " + std::to_string(*command.expected_version),
                                         state.version);
  }
  if (command.if_match_account_revision && *command.if_match_account_revision != state.account_revision) {
    return CommandError::VersionMismatch(
        "account '" + id + "' is at revision " + std::to_string(state.account_revision) + ", not the expected " +
            std::to_string(*command.if_match_account_revision),
        state.account_revision);
  }
  if (command.kind == Kind::kGet) return AccountDecision{};
  if (state.status == AccountStatus::kClosed) {
    return CommandError(Status::FailedPrecondition("account '" + id + "' is closed"));
  }
  if (command.kind == Kind::kBatch) return internal::DecideBatch(state, command, now, options);
  if (command.kind == Kind::kResource || command.kind == Kind::kApiKey) {
    Decided decided = command.kind == Kind::kResource ? internal::DecideResource(state, command, now, options)
                                                      : internal::DecideApiKey(state, command);
    if (!decided.ok()) return decided.error().WithPathPrefix(command.resource.error_prefix);
    for (auto& event : decided->events) event = internal::WithContext(std::move(event), command.context);
    return decided;
  }

  std::vector<EventData> out;
  switch (command.kind) {
    case Kind::kCreate: {
      if (!command.settings.has_name() || command.settings.name().empty()) {
        return CommandError(Status::InvalidArgument("a new account needs a name"));
      }
      if (Status s = ValidateSettings(command.settings); !s.ok()) return CommandError(s);
      if (CommandError e = CheckAccountDestination(state, command.settings); !e.ok()) return e;
      if (!command.parent_id.empty()) {
        if (Status s = ValidateAccountId(command.parent_id); !s.ok()) {
          return CommandError::InvalidField("parent_id", s.message());
        }
        if (command.parent_id == id) {
          return CommandError(Status::InvalidArgument("an account cannot be its own parent"));
        }
      }
      events::AccountCreated created;
      created.set_account_id(id);
      created.set_parent_id(command.parent_id);
      *created.mutable_settings() = internal::WithDefaults(command.settings);
      out.push_back(events::MakeEvent(events::kAccountCreated, created));
      break;
    }
    case Kind::kUpdate: {
      if (Status s = ValidateSettings(command.settings); !s.ok()) return CommandError(s);
      events::AccountUpdated updated;
      updated.set_account_id(id);
      *updated.mutable_changes() = ChangedFields(state.settings, command.settings);
      const auto* descriptor = AccountSettings::descriptor();
      const auto* reflection = AccountSettings::GetReflection();
      for (const std::string& name : command.cleared_settings) {
        const FieldDescriptor* field = descriptor->FindFieldByName(name);
        if (field == nullptr) {
          return CommandError(Status::InvalidArgument("'" + name + "' is not an account setting"));
        }
        if (!IsOptionalSetting(name)) return CommandError::InvalidField(name, "cannot be null");
        if (reflection->HasField(command.settings, field)) {
          return CommandError::InvalidField(name, "is both set and cleared");
        }
        if (reflection->HasField(state.settings, field)) updated.add_cleared(name);
      }
      if (updated.changes().ByteSizeLong() == 0 && updated.cleared_size() == 0) {
        return AccountDecision{};  // nothing changes
      }
      AccountSettings merged = state.settings;
      merged.MergeFrom(updated.changes());
      internal::ClearSettings(merged, updated.cleared());
      // Checked only when the update touches the destination: an unrelated change (a name)
      // is not refused over a destination it does not set.
      const bool touches_destination =
          updated.changes().has_did_default_dest_kind() || updated.changes().has_did_default_dest_id() ||
          std::find_if(updated.cleared().begin(), updated.cleared().end(), [](const std::string& name) {
            return name == "did_default_dest_kind" || name == "did_default_dest_id";
          }) != updated.cleared().end();
      if (touches_destination) {
        if (CommandError e = CheckAccountDestination(state, merged); !e.ok()) return e;
      }
      out.push_back(events::MakeEvent(events::kAccountUpdated, updated));
      break;
    }
    case Kind::kSuspend: {
      if (state.status == AccountStatus::kSuspended) {
        return CommandError(Status::FailedPrecondition("account '" + id + "' is already suspended"));
      }
      events::AccountSuspended suspended;
      suspended.set_account_id(id);
      suspended.set_reason(command.reason);
      out.push_back(events::MakeEvent(events::kAccountSuspended, suspended));
      break;
    }
    case Kind::kReactivate: {
      if (state.status != AccountStatus::kSuspended) {
        return CommandError(Status::FailedPrecondition("account '" + id + "' is not suspended"));
      }
      events::AccountReactivated reactivated;
      reactivated.set_account_id(id);
      out.push_back(events::MakeEvent(events::kAccountReactivated, reactivated));
      break;
    }
    case Kind::kClose: {
      events::AccountClosed closed;
      closed.set_account_id(id);
      closed.set_reason(command.reason);
      out.push_back(events::MakeEvent(events::kAccountClosed, closed));
      break;
    }
    case Kind::kGet:
    case Kind::kResource:
    case Kind::kApiKey:
    case Kind::kBatch:
      break;
  }
  AccountDecision decision;
  for (auto& event : out) decision.events.push_back(internal::WithContext(std::move(event), command.context));
  return decision;
}

Result<std::vector<EventData>, CommandError> DecideAccount(const AccountState& state, const AccountCommand& command,
                                                           std::chrono::system_clock::time_point now) {
  Decided decided = DecideAccountCommand(state, command, now, DecideOptions{});
  if (!decided.ok()) return decided.error();
  return std::move(decided->events);
}

}  // namespace dialtone::domain
