#include "actors/account_model.h"

#include <google/protobuf/util/message_differencer.h>

#include <array>
#include <cassert>

#include "events/event_types.h"

namespace dialtone::actors {
namespace {

using events::AccountSettings;
using events::EventData;
using events::RecordedEvent;
using google::protobuf::FieldDescriptor;

constexpr size_t kMaxAccountIdLength = 64;

constexpr std::array<std::string_view, 9> kDestinationKinds = {
    "flow", "user", "extension", "ring_group", "queue", "voicemail", "conference", "forward",
    "hangup"};

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

// Every field present: the documented defaults, overridden by what `given` holds.
AccountSettings WithDefaults(const AccountSettings& given) {
  AccountSettings s;
  s.set_name("");
  s.set_timezone("UTC");
  s.set_brand_name("");
  s.set_brand_domain("");
  s.set_max_in(0);
  s.set_max_out(0);
  s.set_max_dialer(0);
  s.set_default_cid_number("");
  s.set_language("en-US");
  s.set_voice_gender("");
  s.set_did_default_dest_kind("");
  s.set_did_default_dest_id("");
  s.set_is_reseller(false);
  s.MergeFrom(given);
  return s;
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

EventData WithContext(EventData event, const CommandContext& context) {
  event.principal = context.principal;
  event.correlation_id = context.correlation_id;
  event.causation_id = context.causation_id;
  return event;
}

Status Corrupt(const RecordedEvent& e, const std::string& why) {
  return Status::Corruption("event " + e.type + " at version " + std::to_string(e.version) +
                            " of '" + e.stream + "': " + why);
}

// Reused payload messages, so a replay does not allocate per event.
struct PayloadScratch {
  events::AccountCreated created;
  events::AccountUpdated updated;
  events::AccountSuspended suspended;
  events::AccountReactivated reactivated;
  events::AccountClosed closed;
};

// Checks `e` against `state` and folds it in; on error `state` is unchanged.
Status ApplyChecked(AccountState& state, const RecordedEvent& e, PayloadScratch& scratch) {
  if (e.version != state.version + 1) {
    return Corrupt(e, "expected version " + std::to_string(state.version + 1));
  }
  auto parse = [&](google::protobuf::Message& message) -> Status {
    if (!message.ParseFromString(e.payload)) return Corrupt(e, "payload does not decode");
    return Status::Ok();
  };
  auto same_account = [&](const std::string& id) -> Status {
    if (!state.exists()) return Corrupt(e, "the account was not created before it");
    if (id != state.account_id) return Corrupt(e, "names account '" + id + "'");
    return Status::Ok();
  };

  if (e.type == events::kAccountCreated) {
    if (Status s = parse(scratch.created); !s.ok()) return s;
    if (state.exists()) return Corrupt(e, "the account already exists");
    if (Status s = ValidateAccountId(scratch.created.account_id()); !s.ok()) {
      return Corrupt(e, s.message());
    }
    state.account_id = scratch.created.account_id();
    state.parent_id = scratch.created.parent_id();
    state.settings = WithDefaults(scratch.created.settings());
    state.status = AccountStatus::kActive;
    state.created_ms = e.time_ms;
  } else if (e.type == events::kAccountUpdated) {
    if (Status s = parse(scratch.updated); !s.ok()) return s;
    if (Status s = same_account(scratch.updated.account_id()); !s.ok()) return s;
    state.settings.MergeFrom(scratch.updated.changes());
  } else if (e.type == events::kAccountSuspended) {
    if (Status s = parse(scratch.suspended); !s.ok()) return s;
    if (Status s = same_account(scratch.suspended.account_id()); !s.ok()) return s;
    state.status = AccountStatus::kSuspended;
  } else if (e.type == events::kAccountReactivated) {
    if (Status s = parse(scratch.reactivated); !s.ok()) return s;
    if (Status s = same_account(scratch.reactivated.account_id()); !s.ok()) return s;
    state.status = AccountStatus::kActive;
  } else if (e.type == events::kAccountClosed) {
    if (Status s = parse(scratch.closed); !s.ok()) return s;
    if (Status s = same_account(scratch.closed.account_id()); !s.ok()) return s;
    state.status = AccountStatus::kClosed;
  } else {
    return Corrupt(e, "not an account event type");
  }
  state.version = e.version;
  state.updated_ms = e.time_ms;
  return Status::Ok();
}

Result<AccountStatus> ParseStatus(std::string_view name) {
  if (name == "active") return AccountStatus::kActive;
  if (name == "suspended") return AccountStatus::kSuspended;
  if (name == "closed") return AccountStatus::kClosed;
  return Status::Corruption("account snapshot has unknown status '" + std::string(name) + "'");
}

}  // namespace

std::string_view AccountStatusName(AccountStatus status) {
  switch (status) {
    case AccountStatus::kAbsent: return "";
    case AccountStatus::kActive: return "active";
    case AccountStatus::kSuspended: return "suspended";
    case AccountStatus::kClosed: return "closed";
  }
  return "";
}

bool SameAccountState(const AccountState& a, const AccountState& b) {
  return a.account_id == b.account_id && a.parent_id == b.parent_id && a.status == b.status &&
         a.version == b.version && a.created_ms == b.created_ms && a.updated_ms == b.updated_ms &&
         google::protobuf::util::MessageDifferencer::Equals(a.settings, b.settings);
}

Status ValidateAccountId(std::string_view account_id) {
  if (account_id.empty()) return Status::InvalidArgument("account id is empty");
  if (account_id.size() > kMaxAccountIdLength) {
    return Status::InvalidArgument("account id is longer than 64 characters");
  }
  for (char c : account_id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) {
      return Status::InvalidArgument("account id '" + std::string(account_id) +
                                     "' may hold only letters, digits, '_' and '-'");
    }
  }
  return Status::Ok();
}

std::string AccountStream(std::string_view account_id) {
  return "account-" + std::string(account_id);
}

bool IsValidDestinationKind(std::string_view kind) {
  for (std::string_view k : kDestinationKinds) {
    if (k == kind) return true;
  }
  return false;
}

Result<std::vector<EventData>> DecideAccount(const AccountState& state,
                                             const AccountCommand& command,
                                             std::chrono::system_clock::time_point /*now*/) {
  using Kind = AccountCommand::Kind;
  if (Status s = ValidateAccountId(command.account_id); !s.ok()) return s;
  assert((!state.exists() || state.account_id == command.account_id) &&
         "a command was routed to another account's state");
  const std::string& id = command.account_id;

  if (command.kind == Kind::kCreate) {
    if (state.exists()) return Status::AlreadyExists("account '" + id + "' already exists");
  } else if (!state.exists()) {
    return Status::NotFound("account '" + id + "' does not exist");
  }
  if (command.expected_version && *command.expected_version != state.version) {
    return Status(ErrorCode::kWrongExpectedVersion,
                  "account '" + id + "' is at version " + std::to_string(state.version) +
                      ", not the expected " + std::to_string(*command.expected_version));
  }
  if (command.kind == Kind::kGet) return std::vector<EventData>{};
  if (state.status == AccountStatus::kClosed) {
    return Status::FailedPrecondition("account '" + id + "' is closed");
  }

  std::vector<EventData> out;
  switch (command.kind) {
    case Kind::kCreate: {
      if (!command.settings.has_name() || command.settings.name().empty()) {
        return Status::InvalidArgument("a new account needs a name");
      }
      if (Status s = ValidateSettings(command.settings); !s.ok()) return s;
      if (!command.parent_id.empty()) {
        if (Status s = ValidateAccountId(command.parent_id); !s.ok()) {
          return Status::InvalidArgument("parent_id: " + s.message());
        }
        if (command.parent_id == id) {
          return Status::InvalidArgument("an account cannot be its own parent");
        }
      }
      events::AccountCreated created;
      created.set_account_id(id);
      created.set_parent_id(command.parent_id);
      *created.mutable_settings() = WithDefaults(command.settings);
      out.push_back(events::MakeEvent(events::kAccountCreated, created));
      break;
    }
    case Kind::kUpdate: {
      if (Status s = ValidateSettings(command.settings); !s.ok()) return s;
      events::AccountUpdated updated;
      updated.set_account_id(id);
      *updated.mutable_changes() = ChangedFields(state.settings, command.settings);
      if (updated.changes().ByteSizeLong() == 0) return out;  // nothing changes
      out.push_back(events::MakeEvent(events::kAccountUpdated, updated));
      break;
    }
    case Kind::kSuspend: {
      if (state.status == AccountStatus::kSuspended) {
        return Status::FailedPrecondition("account '" + id + "' is already suspended");
      }
      events::AccountSuspended suspended;
      suspended.set_account_id(id);
      suspended.set_reason(command.reason);
      out.push_back(events::MakeEvent(events::kAccountSuspended, suspended));
      break;
    }
    case Kind::kReactivate: {
      if (state.status != AccountStatus::kSuspended) {
        return Status::FailedPrecondition("account '" + id + "' is not suspended");
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
      break;
  }
  for (auto& event : out) event = WithContext(std::move(event), command.context);
  return out;
}

void ApplyAccountEvent(AccountState& state, const RecordedEvent& event) {
  PayloadScratch scratch;
  [[maybe_unused]] Status applied = ApplyChecked(state, event, scratch);
  assert(applied.ok() && "ApplyAccountEvent was given an event that cannot follow the state");
}

Status ReplayAccount(AccountState& state, const events::RecordedEvents& events) {
  PayloadScratch scratch;
  for (const RecordedEvent& event : events) {
    if (Status s = ApplyChecked(state, event, scratch); !s.ok()) return s;
  }
  return Status::Ok();
}

AccountView ToAccountView(const AccountState& state) {
  AccountView view;
  view.account_id = state.account_id;
  view.parent_id = state.parent_id;
  view.status = std::string(AccountStatusName(state.status));
  view.settings = state.settings;
  view.version = state.version;
  view.created_ms = state.created_ms;
  view.updated_ms = state.updated_ms;
  return view;
}

std::string EncodeAccountSnapshot(const AccountState& state) {
  assert(state.exists() && "only a created account has a snapshot");
  events::AccountSnapshot snapshot;
  snapshot.set_account_id(state.account_id);
  snapshot.set_parent_id(state.parent_id);
  snapshot.set_status(std::string(AccountStatusName(state.status)));
  *snapshot.mutable_settings() = state.settings;
  snapshot.set_created_ms(state.created_ms);
  snapshot.set_updated_ms(state.updated_ms);
  return snapshot.SerializeAsString();
}

Result<AccountState> DecodeAccountSnapshot(std::string_view bytes, uint64_t version) {
  events::AccountSnapshot snapshot;
  if (!snapshot.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption("account snapshot does not decode");
  }
  if (version == 0) return Status::Corruption("account snapshot at version 0");
  if (Status s = ValidateAccountId(snapshot.account_id()); !s.ok()) {
    return Status::Corruption("account snapshot: " + s.message());
  }
  Result<AccountStatus> status = ParseStatus(snapshot.status());
  if (!status.ok()) return status.status();
  AccountState state;
  state.account_id = snapshot.account_id();
  state.parent_id = snapshot.parent_id();
  state.status = *status;
  state.settings = WithDefaults(snapshot.settings());
  state.version = version;
  state.created_ms = snapshot.created_ms();
  state.updated_ms = snapshot.updated_ms();
  return state;
}

}  // namespace dialtone::actors
