#include "actors/account_model.h"

#include <google/protobuf/util/message_differencer.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <random>

#include "events/event_types.h"
#include "events/ids.h"
#include "resource.pb.h"

namespace dialtone::actors {
namespace {

using events::AccountSettings;
using events::EventData;
using events::RecordedEvent;
using google::protobuf::FieldDescriptor;

constexpr size_t kMaxAccountIdLength = 64;

// kInvalidArgument naming one field (the FieldErrorsOf convention).
Status InvalidFieldsStatus(const std::string& path, const std::string& message) {
  return Status::InvalidArgument(path + ": " + message);
}

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

// The settings that may be null (absent): everything but name, timezone, language,
// voice_gender and is_reseller.
constexpr std::array<std::string_view, 8> kOptionalSettings = {
    "brand_name", "brand_domain", "max_in", "max_out", "max_dialer", "default_cid_number",
    "did_default_dest_kind", "did_default_dest_id"};

bool IsOptionalSetting(std::string_view name) {
  return std::find(kOptionalSettings.begin(), kOptionalSettings.end(), name) != kOptionalSettings.end();
}

// The required settings present (their documented defaults unless `given` holds them);
// optional ones only as `given` has them.
AccountSettings WithDefaults(const AccountSettings& given) {
  AccountSettings s;
  s.set_name("");
  s.set_timezone("UTC");
  s.set_language("en-US");
  s.set_voice_gender("female");
  s.set_is_reseller(false);
  s.MergeFrom(given);
  return s;
}

// Clears the named fields of `settings`; false when a name is not a field.
bool ClearSettings(AccountSettings& settings, const google::protobuf::RepeatedPtrField<std::string>& names) {
  const auto* descriptor = AccountSettings::descriptor();
  const auto* reflection = AccountSettings::GetReflection();
  for (const std::string& name : names) {
    const FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr) return false;
    reflection->ClearField(&settings, field);
  }
  return true;
}

// The account's own destination for unrouted DIDs must name a resource it has (hangup
// names none).
Status CheckAccountDestination(const AccountState& state, const AccountSettings& settings) {
  const std::string kind = settings.has_did_default_dest_kind() ? settings.did_default_dest_kind() : "";
  const std::string id = settings.has_did_default_dest_id() ? settings.did_default_dest_id() : "";
  if (kind.empty()) {
    if (!id.empty()) {
      return InvalidFieldsStatus("did_default_dest_id", "is set but did_default_dest_kind is null");
    }
    return Status::Ok();
  }
  if (kind == "hangup") {
    if (!id.empty()) return InvalidFieldsStatus("did_default_dest_id", "must be null when the destination is hangup");
    return Status::Ok();
  }
  if (id.empty()) return InvalidFieldsStatus("did_default_dest_id", "is required when did_default_dest_kind is " + kind);
  if (state.FindResource(kind, id) == nullptr) {
    return InvalidFieldsStatus("did_default_dest_id", "no " + kind + " '" + id + "' in this account");
  }
  return Status::Ok();
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
  events::ResourceCreated resource_created;
  events::ResourceUpdated resource_updated;
  events::ResourceDeleted resource_deleted;
  events::SecretStored secret_stored;
  events::SecretDeleted secret_deleted;
  events::ApiKeyCreated api_key_created;
  events::ApiKeyRevoked api_key_revoked;
};

// ---- resource indexes -------------------------------------------------------------------

// The resources `doc` (of `kind`) refers to: model::References plus, for a nested kind,
// its parent.
std::vector<model::ResourceRef> OutgoingRefs(const model::ResourceSpec& spec, const nlohmann::json& doc) {
  std::vector<model::ResourceRef> refs = model::References(spec, doc);
  if (!spec.parent_kind.empty()) {
    auto it = doc.find(spec.parent_field);
    if (it != doc.end() && it->is_string()) {
      model::ResourceRef parent{spec.parent_kind, it->get<std::string>(), spec.parent_field};
      if (std::find(refs.begin(), refs.end(), parent) == refs.end()) refs.push_back(parent);
    }
  }
  return refs;
}

void Index(AccountState& state, const ResourceKey& key, const nlohmann::json& doc) {
  const model::ResourceSpec* spec = model::FindResource(key.kind);
  if (spec == nullptr) return;  // a kind this build does not know: stored, not indexed
  for (const model::UniqueKey& u : model::UniqueKeys(*spec, doc)) {
    state.unique_holders.insert_or_assign({u.name, u.value}, key);
  }
  for (const model::ResourceRef& ref : OutgoingRefs(*spec, doc)) {
    state.referrers[ResourceKey{ref.kind, ref.id}].insert(key);
  }
}

void Unindex(AccountState& state, const ResourceKey& key, const nlohmann::json& doc) {
  const model::ResourceSpec* spec = model::FindResource(key.kind);
  if (spec == nullptr) return;
  for (const model::UniqueKey& u : model::UniqueKeys(*spec, doc)) {
    auto it = state.unique_holders.find({u.name, u.value});
    if (it != state.unique_holders.end() && it->second == key) state.unique_holders.erase(it);
  }
  for (const model::ResourceRef& ref : OutgoingRefs(*spec, doc)) {
    auto it = state.referrers.find(ResourceKey{ref.kind, ref.id});
    if (it == state.referrers.end()) continue;
    it->second.erase(key);
    if (it->second.empty()) state.referrers.erase(it);
  }
}

void RebuildIndexes(AccountState& state) {
  state.unique_holders.clear();
  state.referrers.clear();
  for (const auto& [kind, by_id] : state.resources) {
    for (const auto& [id, resource] : by_id) Index(state, ResourceKey{kind, id}, resource.document);
  }
}

// A stored document: a JSON object, or nullopt.
std::optional<nlohmann::json> ParseDocument(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

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
    AccountSettings settings = state.settings;
    settings.MergeFrom(scratch.updated.changes());
    if (!ClearSettings(settings, scratch.updated.cleared())) return Corrupt(e, "clears a setting that does not exist");
    state.settings = std::move(settings);
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
  } else if (e.type == events::kResourceCreated) {
    auto& m = scratch.resource_created;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    if (m.kind().empty() || m.id().empty()) return Corrupt(e, "names no kind or id");
    std::optional<nlohmann::json> doc = ParseDocument(m.document());
    if (!doc) return Corrupt(e, "document is not a JSON object");
    if (state.FindResource(m.kind(), m.id()) != nullptr) {
      return Corrupt(e, m.kind() + " '" + m.id() + "' already exists");
    }
    ResourceKey key{m.kind(), m.id()};
    Index(state, key, *doc);
    state.resources[m.kind()][m.id()] = StoredResource{std::move(*doc), m.revision()};
  } else if (e.type == events::kResourceUpdated) {
    auto& m = scratch.resource_updated;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    std::optional<nlohmann::json> doc = ParseDocument(m.document());
    if (!doc) return Corrupt(e, "document is not a JSON object");
    auto kind_it = state.resources.find(m.kind());
    if (kind_it == state.resources.end() || !kind_it->second.contains(m.id())) {
      return Corrupt(e, m.kind() + " '" + m.id() + "' does not exist");
    }
    StoredResource& stored = kind_it->second.at(m.id());
    if (m.revision() != stored.revision + 1) {
      return Corrupt(e, "revision " + std::to_string(m.revision()) + " does not follow " +
                            std::to_string(stored.revision));
    }
    ResourceKey key{m.kind(), m.id()};
    Unindex(state, key, stored.document);
    stored.document = std::move(*doc);
    stored.revision = m.revision();
    Index(state, key, stored.document);
  } else if (e.type == events::kResourceDeleted) {
    auto& m = scratch.resource_deleted;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    auto kind_it = state.resources.find(m.kind());
    if (kind_it == state.resources.end() || !kind_it->second.contains(m.id())) {
      return Corrupt(e, m.kind() + " '" + m.id() + "' does not exist");
    }
    Unindex(state, ResourceKey{m.kind(), m.id()}, kind_it->second.at(m.id()).document);
    kind_it->second.erase(m.id());
    if (kind_it->second.empty()) state.resources.erase(kind_it);
  } else if (e.type == events::kSecretStored) {
    auto& m = scratch.secret_stored;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    if (m.ref().empty()) return Corrupt(e, "names no secret ref");
    state.secrets[m.ref()] = SealedSecret{m.nonce(), m.ciphertext()};
  } else if (e.type == events::kSecretDeleted) {
    auto& m = scratch.secret_deleted;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    state.secrets.erase(m.ref());
  } else if (e.type == events::kApiKeyCreated) {
    auto& m = scratch.api_key_created;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    if (m.key_id().empty()) return Corrupt(e, "names no key id");
    if (state.api_keys.contains(m.key_id())) {
      return Corrupt(e, "API key '" + m.key_id() + "' already exists");
    }
    ApiKeyRecord key;
    key.key_id = m.key_id();
    key.secret_sha256 = m.secret_sha256();
    key.scopes.assign(m.scopes().begin(), m.scopes().end());
    key.label = m.label();
    key.created_by = m.created_by();
    key.created_ms = e.time_ms;
    state.api_keys.emplace(m.key_id(), std::move(key));
  } else if (e.type == events::kApiKeyRevoked) {
    auto& m = scratch.api_key_revoked;
    if (Status s = parse(m); !s.ok()) return s;
    if (Status s = same_account(m.account_id()); !s.ok()) return s;
    auto it = state.api_keys.find(m.key_id());
    if (it == state.api_keys.end()) return Corrupt(e, "API key '" + m.key_id() + "' does not exist");
    it->second.revoked = true;
  } else {
    return Corrupt(e, "not an account event type");
  }
  if (e.type.rfind("account.", 0) == 0) state.account_revision = e.version;
  state.version = e.version;
  state.updated_ms = e.time_ms;
  return Status::Ok();
}

// ---- resources and API keys ------------------------------------------------------------

using Json = nlohmann::json;

constexpr std::array<std::string_view, 9> kApiKeyScopes = {
    "cdr", "agents", "queues", "numbers", "dnc", "campaign", "webhooks", "config", "*"};
constexpr size_t kMaxApiKeyLabel = 200;
constexpr size_t kMaxResourceIdLength = 64;

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

// `n` random bytes as hex; the random source failing is an internal error.
Result<std::string> RandomHex(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("the random source failed");
  }
  return Hex(reinterpret_cast<const unsigned char*>(bytes.data()), n);
}

// Keeps a path or message free of the separators of the FieldErrorsOf convention.
std::string Sanitize(std::string text, bool is_path) {
  auto replace_all = [&](std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace_all("; ", ", ");
  if (is_path) replace_all(": ", " ");
  return text;
}

Status InvalidFields(std::vector<model::FieldError> errors) {
  return Status::InvalidArgument(FormatFieldErrors(errors));
}

// Seconds since the epoch: resources carry epoch seconds.
int64_t EpochSeconds(std::chrono::system_clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

Status ValidateResourceId(std::string_view id) {
  if (id.empty() || id.size() > kMaxResourceIdLength) {
    return InvalidFields({{"id", "must be 1 to 64 characters"}});
  }
  for (char c : id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!allowed) return InvalidFields({{"id", "may hold only letters, digits, '_', '-' and '.'"}});
  }
  return Status::Ok();
}

// A new id: the kind's prefix + 32 hex digits, random, or derived from the idempotency key
// (a retry decides the same id).
Result<std::string> MintResourceId(const model::ResourceSpec& spec, const AccountCommand& command) {
  if (!command.context.idempotency_key.empty()) {
    std::string seed = command.account_id + '\n' + spec.kind + '\n' + command.context.idempotency_key;
    return spec.id_prefix + Sha256Hex(seed).substr(0, 32);
  }
  Result<std::string> random = RandomHex(16);
  if (!random.ok()) return random;
  return spec.id_prefix + *random;
}

// Every reference of `doc` (and its parent) must name a resource of this account.
Status CheckReferences(const AccountState& state, const model::ResourceSpec& spec, const Json& doc) {
  std::vector<model::FieldError> errors;
  for (const model::ResourceRef& ref : OutgoingRefs(spec, doc)) {
    if (state.FindResource(ref.kind, ref.id) != nullptr) continue;
    errors.push_back({ref.field, ref.kind + " '" + ref.id + "' does not exist in this account"});
  }
  return errors.empty() ? Status::Ok() : InvalidFields(std::move(errors));
}

// The platform values `doc` must hold that `self` does not hold yet (to claim), after
// checking every unique value of `doc` against the account's other resources.
Result<std::vector<model::UniqueKey>> CheckUniqueness(const AccountState& state,
                                                      const model::ResourceSpec& spec,
                                                      const ResourceKey& self, const Json& doc) {
  std::vector<model::UniqueKey> to_claim;
  for (const model::UniqueKey& u : model::UniqueKeys(spec, doc)) {
    auto it = state.unique_holders.find({u.name, u.value});
    const bool held_by_self = it != state.unique_holders.end() && it->second == self;
    if (it != state.unique_holders.end() && !held_by_self) {
      if (u.scope == model::UniqueScope::kPlatform) {
        return Status::AlreadyExists(u.name + " '" + u.value + "' is already taken");
      }
      return Status::AlreadyExists(u.name + " '" + u.value + "' is already taken by " +
                                   it->second.ToString());
    }
    if (u.scope == model::UniqueScope::kPlatform && !held_by_self) to_claim.push_back(u);
  }
  return to_claim;
}

// The platform values `before` holds that `after` (null: deleted) no longer does.
std::vector<model::UniqueKey> PlatformKeysDropped(const model::ResourceSpec& spec, const Json& before,
                                                  const Json* after) {
  std::vector<model::UniqueKey> kept;
  if (after != nullptr) kept = model::UniqueKeys(spec, *after);
  std::vector<model::UniqueKey> dropped;
  for (const model::UniqueKey& u : model::UniqueKeys(spec, before)) {
    if (u.scope != model::UniqueScope::kPlatform) continue;
    if (std::find(kept.begin(), kept.end(), u) == kept.end()) dropped.push_back(u);
  }
  return dropped;
}

Reservation ReservationFor(const model::UniqueKey& u, const AccountCommand& command,
                           const ResourceKey& key) {
  return Reservation{u.name, u.value, command.account_id, key.kind, key.id};
}

// secret.stored events for the values the model asks to store, sealed with the node key.
Status SealSecrets(const std::vector<model::SecretWrite>& writes, const AccountCommand& command,
                   const DecideOptions& options, std::vector<EventData>& out) {
  if (writes.empty()) return Status::Ok();
  if (options.secret_key.empty()) {
    return Status::FailedPrecondition("this node has no secret key: secret values cannot be stored");
  }
  for (const model::SecretWrite& write : writes) {
    Result<SealedSecret> sealed =
        SealSecret(options.secret_key, write.value, SecretAad(command.account_id, write.ref));
    if (!sealed.ok()) return sealed.status();
    events::SecretStored stored;
    stored.set_account_id(command.account_id);
    stored.set_ref(write.ref);
    stored.set_nonce(std::move(sealed->nonce));
    stored.set_ciphertext(std::move(sealed->ciphertext));
    out.push_back(events::MakeEvent(events::kSecretStored, stored));
  }
  return Status::Ok();
}

void DeleteSecrets(const std::vector<std::string>& refs, const AccountState& state,
                   const AccountCommand& command, std::vector<EventData>& out) {
  for (const std::string& ref : refs) {
    if (!state.secrets.contains(ref)) continue;  // never stored (or already gone)
    events::SecretDeleted deleted;
    deleted.set_account_id(command.account_id);
    deleted.set_ref(ref);
    out.push_back(events::MakeEvent(events::kSecretDeleted, deleted));
  }
}

// The secret refs a stored document holds (its kSecret fields).
std::vector<std::string> SecretRefsOf(const model::ResourceSpec& spec, const Json& doc) {
  std::vector<std::string> refs;
  for (const model::FieldSpec& field : spec.fields) {
    if (field.type != model::FieldType::kSecret) continue;
    auto it = doc.find(field.name);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      refs.push_back(it->get<std::string>());
    }
  }
  return refs;
}

Status FromValidation(const model::ValidationErrors& errors) {
  return errors.errors.empty() ? Status::InvalidArgument(errors.status.message())
                               : InvalidFields(errors.errors);
}

std::string Describe(const ResourceCommand& c) { return c.kind + " '" + c.id + "'"; }

// Merges the command's server-set values into `doc`; only read-only fields may be set.
Status MergeServerFields(const model::ResourceSpec& spec, const ResourceCommand& rc, Json& doc) {
  if (rc.server_fields.is_null()) return Status::Ok();
  if (!rc.server_fields.is_object()) return Status::InvalidArgument("server fields must be an object");
  for (const auto& [name, value] : rc.server_fields.items()) {
    const model::FieldSpec* field = spec.Field(name);
    if (field == nullptr || !field->read_only) {
      return Status::InvalidArgument("'" + name + "' is not a server-set field of " + spec.kind);
    }
    doc[name] = value;
  }
  return Status::Ok();
}

Result<AccountDecision> DecideResource(const AccountState& state, const AccountCommand& command,
                                       std::chrono::system_clock::time_point now,
                                       const DecideOptions& options) {
  using Op = ResourceCommand::Op;
  const ResourceCommand& rc = command.resource;
  const model::ResourceSpec* spec = model::FindResource(rc.kind);
  if (spec == nullptr || spec->kind == "account") {
    return Status::InvalidArgument("'" + rc.kind + "' is not a kind of resource");
  }
  AccountDecision decision;
  const int64_t now_s = EpochSeconds(now);

  if (rc.op == Op::kCreate) {
    std::string id = rc.id;
    if (id.empty()) {
      Result<std::string> minted = MintResourceId(*spec, command);
      if (!minted.ok()) return minted.status();
      id = std::move(minted).value();
    } else if (Status s = ValidateResourceId(id); !s.ok()) {
      return s;
    }
    if (state.FindResource(spec->kind, id) != nullptr) {
      return Status::AlreadyExists(spec->kind + " '" + id + "' already exists");
    }
    model::NormalizeResult normalized = model::NormalizeCreate(*spec, rc.body);
    if (!normalized.ok()) return FromValidation(normalized.error());
    Json doc = std::move(normalized->document);
    if (Status s = MergeServerFields(*spec, rc, doc); !s.ok()) return s;
    model::StampCreate(doc, id, command.account_id, now_s);
    const ResourceKey key{spec->kind, id};
    if (Status s = CheckReferences(state, *spec, doc); !s.ok()) return s;
    Result<std::vector<model::UniqueKey>> claims = CheckUniqueness(state, *spec, key, doc);
    if (!claims.ok()) return claims.status();
    for (const model::UniqueKey& u : *claims) {
      decision.claims.push_back(ReservationFor(u, command, key));
    }
    if (Status s = SealSecrets(normalized->secrets_to_store, command, options, decision.events);
        !s.ok()) {
      return s;
    }
    events::ResourceCreated created;
    created.set_account_id(command.account_id);
    created.set_kind(spec->kind);
    created.set_id(id);
    created.set_document(doc.dump());
    created.set_revision(1);
    decision.events.push_back(events::MakeEvent(events::kResourceCreated, created));
    decision.receipt.resource = ResourceResult{spec->kind, id, std::move(doc), 1, false};
    return decision;
  }

  const StoredResource* existing = state.FindResource(spec->kind, rc.id);
  if (existing == nullptr) {
    return Status::NotFound(Describe(rc) + " does not exist");
  }
  if (rc.if_match_revision && *rc.if_match_revision != existing->revision) {
    return Status(ErrorCode::kWrongExpectedVersion,
                  Describe(rc) + " is at revision " + std::to_string(existing->revision) +
                      ", not the expected " + std::to_string(*rc.if_match_revision));
  }
  const ResourceKey key{spec->kind, rc.id};

  if (rc.op == Op::kDelete) {
    std::vector<std::string> referrers;
    if (state.settings.did_default_dest_kind() == spec->kind && state.settings.did_default_dest_id() == rc.id) {
      referrers.push_back("account/" + command.account_id);
    }
    if (auto it = state.referrers.find(key); it != state.referrers.end()) {
      for (const ResourceKey& referrer : it->second) {
        if (referrer != key) referrers.push_back(referrer.ToString());
      }
    }
    if (!referrers.empty()) {
      std::string names;
      for (const std::string& r : referrers) names += (names.empty() ? "" : ", ") + r;
      return Status::FailedPrecondition(key.ToString() + " is referred to by " + names);
    }
    events::ResourceDeleted deleted;
    deleted.set_account_id(command.account_id);
    deleted.set_kind(spec->kind);
    deleted.set_id(rc.id);
    deleted.set_revision(existing->revision);
    decision.events.push_back(events::MakeEvent(events::kResourceDeleted, deleted));
    DeleteSecrets(SecretRefsOf(*spec, existing->document), state, command, decision.events);
    for (const model::UniqueKey& u : PlatformKeysDropped(*spec, existing->document, nullptr)) {
      decision.releases.push_back(ReservationFor(u, command, key));
    }
    decision.receipt.resource = ResourceResult{spec->kind, rc.id, Json(), existing->revision, true};
    return decision;
  }

  Json doc;
  std::vector<model::SecretWrite> secrets_to_store;
  std::vector<std::string> secrets_to_delete;
  if (rc.op == Op::kPublish) {
    if (spec->kind != "flow") {
      return Status::InvalidArgument("only a flow can be published, not a " + spec->kind);
    }
    Result<Json, model::ValidationErrors> published = model::PublishFlow(existing->document, now_s);
    if (!published.ok()) return FromValidation(published.error());
    doc = std::move(published).value();
  } else {
    model::NormalizeResult normalized =
        rc.op == Op::kPatch ? model::NormalizePatch(*spec, existing->document, rc.body)
                            : model::NormalizePut(*spec, existing->document, rc.body);
    if (!normalized.ok()) return FromValidation(normalized.error());
    doc = std::move(normalized->document);
    secrets_to_store = std::move(normalized->secrets_to_store);
    secrets_to_delete = std::move(normalized->secret_refs_to_delete);
    if (Status s = MergeServerFields(*spec, rc, doc); !s.ok()) return s;
  }
  if (doc == existing->document && secrets_to_store.empty() && secrets_to_delete.empty()) {
    // Nothing changes: no event, the current revision.
    decision.receipt.resource = ResourceResult{spec->kind, rc.id, doc, existing->revision, false};
    return decision;
  }
  model::StampUpdate(doc, now_s);
  if (Status s = CheckReferences(state, *spec, doc); !s.ok()) return s;
  Result<std::vector<model::UniqueKey>> claims = CheckUniqueness(state, *spec, key, doc);
  if (!claims.ok()) return claims.status();
  for (const model::UniqueKey& u : *claims) decision.claims.push_back(ReservationFor(u, command, key));
  for (const model::UniqueKey& u : PlatformKeysDropped(*spec, existing->document, &doc)) {
    decision.releases.push_back(ReservationFor(u, command, key));
  }
  if (Status s = SealSecrets(secrets_to_store, command, options, decision.events); !s.ok()) {
    return s;
  }
  const uint64_t revision = existing->revision + 1;
  events::ResourceUpdated updated;
  updated.set_account_id(command.account_id);
  updated.set_kind(spec->kind);
  updated.set_id(rc.id);
  updated.set_document(doc.dump());
  updated.set_revision(revision);
  decision.events.push_back(events::MakeEvent(events::kResourceUpdated, updated));
  DeleteSecrets(secrets_to_delete, state, command, decision.events);
  decision.receipt.resource = ResourceResult{spec->kind, rc.id, std::move(doc), revision, false};
  return decision;
}

Result<AccountDecision> DecideApiKey(const AccountState& state, const AccountCommand& command) {
  const ApiKeyCommand& kc = command.api_key;
  AccountDecision decision;
  if (kc.op == ApiKeyCommand::Op::kRevoke) {
    auto it = state.api_keys.find(kc.key_id);
    if (it == state.api_keys.end()) {
      return Status::NotFound("API key '" + kc.key_id + "' does not exist");
    }
    if (it->second.revoked) {
      return Status::FailedPrecondition("API key '" + kc.key_id + "' is already revoked");
    }
    events::ApiKeyRevoked revoked;
    revoked.set_account_id(command.account_id);
    revoked.set_key_id(kc.key_id);
    decision.events.push_back(events::MakeEvent(events::kApiKeyRevoked, revoked));
    decision.receipt.key_id = kc.key_id;
    return decision;
  }

  std::vector<std::string> scopes;
  for (size_t i = 0; i < kc.scopes.size(); ++i) {
    if (!IsValidApiKeyScope(kc.scopes[i])) {
      return InvalidFields({{"scopes[" + std::to_string(i) + "]",
                             Sanitize("'" + kc.scopes[i] + "' is not one of cdr, agents, queues, "
                                      "numbers, dnc, campaign, webhooks, config, *", false)}});
    }
    if (std::find(scopes.begin(), scopes.end(), kc.scopes[i]) == scopes.end()) {
      scopes.push_back(kc.scopes[i]);
    }
  }
  if (scopes.empty()) scopes.push_back("*");
  if (kc.label.size() > kMaxApiKeyLabel) {
    return InvalidFields({{"label", "must be at most 200 bytes"}});
  }
  Result<std::string> key_id = RandomHex(8);
  if (!key_id.ok()) return key_id.status();
  while (state.api_keys.contains(*key_id)) {  // 64 random bits: practically never
    key_id = RandomHex(8);
    if (!key_id.ok()) return key_id.status();
  }
  Result<std::string> secret = RandomHex(32);
  if (!secret.ok()) return secret.status();

  events::ApiKeyCreated created;
  created.set_account_id(command.account_id);
  created.set_key_id(*key_id);
  created.set_secret_sha256(Sha256Hex(*secret));
  for (const std::string& scope : scopes) created.add_scopes(scope);
  created.set_label(kc.label);
  created.set_created_by(command.context.principal);
  decision.events.push_back(events::MakeEvent(events::kApiKeyCreated, created));
  decision.receipt.key_id = *key_id;
  decision.receipt.minted_key = std::string(kApiKeyPrefix) + *key_id + "_" + *secret;
  return decision;
}

Result<events::ReservationClaimed> ParseClaim(const RecordedEvent& e) {
  events::ReservationClaimed claim;
  if (!claim.ParseFromString(e.payload)) {
    return Status::Corruption("reservation stream '" + e.stream + "' holds an undecodable claim");
  }
  return claim;
}

bool SameHolder(const events::ReservationClaimed& claim, const Reservation& r) {
  return claim.account_id() == r.account_id && claim.kind() == r.kind &&
         claim.resource_id() == r.resource_id;
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
         a.version == b.version && a.account_revision == b.account_revision &&
         a.created_ms == b.created_ms && a.updated_ms == b.updated_ms &&
         google::protobuf::util::MessageDifferencer::Equals(a.settings, b.settings) &&
         a.resources == b.resources && a.api_keys == b.api_keys &&
         std::equal(a.secrets.begin(), a.secrets.end(), b.secrets.begin(), b.secrets.end(),
                    [](const auto& x, const auto& y) {
                      return x.first == y.first && x.second.nonce == y.second.nonce &&
                             x.second.ciphertext == y.second.ciphertext;
                    });
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

namespace {

// The path of every field error of `status` prefixed with `prefix`.
Status PrefixFieldErrors(const Status& status, const std::string& prefix) {
  if (prefix.empty() || status.code() != ErrorCode::kInvalidArgument) return status;
  std::vector<model::FieldError> errors = FieldErrorsOf(status);
  if (errors.empty()) return status;
  for (model::FieldError& e : errors) {
    std::string path = prefix + e.path;
    if (!path.empty() && path.back() == '.') path.pop_back();  // an error of the step's body itself
    e.path = std::move(path);
  }
  return Status::InvalidArgument(FormatFieldErrors(errors));
}

// The events of a decision as the store would record them next in `state`'s stream, so
// a later step of a batch is decided against them.
Status FoldDecided(AccountState& state, const std::vector<EventData>& events,
                   std::chrono::system_clock::time_point now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  events::RecordedEvents recorded;
  for (const EventData& event : events) {
    RecordedEvent r;
    r.stream = AccountStream(state.account_id);
    r.version = state.version + recorded.size() + 1;
    r.type = event.type;
    r.payload = event.payload;
    r.time_ms = now_ms;
    recorded.push_back(std::move(r));
  }
  return ReplayAccount(state, recorded);
}

Result<AccountDecision> DecideBatch(const AccountState& state, const AccountCommand& command,
                                    std::chrono::system_clock::time_point now, const DecideOptions& options) {
  using Kind = AccountCommand::Kind;
  if (command.steps.empty()) return Status::InvalidArgument("a batch needs at least one step");
  AccountState scratch = state;
  AccountDecision total;
  for (const AccountCommand& original : command.steps) {
    if (original.kind == Kind::kBatch || original.kind == Kind::kCreate || original.kind == Kind::kGet) {
      return Status::InvalidArgument("a batch step changes an existing account (no create, get or nested batch)");
    }
    if (original.account_id != command.account_id) {
      return Status::InvalidArgument("every step of a batch acts on the batch's account");
    }
    AccountCommand step = original;
    step.context = command.context;
    // Each step mints its own ids: two creates of one kind in a keyed batch must not
    // derive the same id, and a retry of the batch still derives the same ones.
    if (!step.context.idempotency_key.empty()) {
      step.context.idempotency_key += "#step" + std::to_string(&original - command.steps.data());
    }
    Result<AccountDecision> decided = DecideAccountCommand(scratch, step, now, options);
    if (!decided.ok()) return decided.status();
    if (Status s = FoldDecided(scratch, decided->events, now); !s.ok()) {
      return Status::Internal("a batch step decided events its own state cannot fold: " + s.message());
    }
    for (auto& e : decided->events) total.events.push_back(std::move(e));
    for (auto& c : decided->claims) total.claims.push_back(std::move(c));
    for (auto& r : decided->releases) total.releases.push_back(std::move(r));
    if (decided->receipt.resource) {
      total.receipt.resources.push_back(*decided->receipt.resource);
      total.receipt.resource = std::move(decided->receipt.resource);
    }
    if (!decided->receipt.key_id.empty()) total.receipt.key_id = decided->receipt.key_id;
    if (!decided->receipt.minted_key.empty()) total.receipt.minted_key = decided->receipt.minted_key;
  }
  // Net reservations: a value one step claims and a later one releases (or the reverse)
  // for the same resource ends where it began, so neither is sent to the store.
  for (auto claim = total.claims.begin(); claim != total.claims.end();) {
    auto release = std::find(total.releases.begin(), total.releases.end(), *claim);
    if (release == total.releases.end()) {
      ++claim;
      continue;
    }
    total.releases.erase(release);
    claim = total.claims.erase(claim);
  }
  return total;
}

}  // namespace

Result<AccountDecision> DecideAccountCommand(const AccountState& state,
                                             const AccountCommand& command,
                                             std::chrono::system_clock::time_point now,
                                             const DecideOptions& options) {
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
  if (command.if_match_account_revision && *command.if_match_account_revision != state.account_revision) {
    return Status(ErrorCode::kWrongExpectedVersion,
                  "account '" + id + "' is at revision " + std::to_string(state.account_revision) +
                      ", not the expected " + std::to_string(*command.if_match_account_revision));
  }
  if (command.kind == Kind::kGet) return AccountDecision{};
  if (state.status == AccountStatus::kClosed) {
    return Status::FailedPrecondition("account '" + id + "' is closed");
  }
  if (command.kind == Kind::kBatch) {
    if (command.steps.empty()) return Status::InvalidArgument("a batch needs at least one step");
    return DecideBatch(state, command, now, options);
  }
  if (command.kind == Kind::kResource || command.kind == Kind::kApiKey) {
    Result<AccountDecision> decided = command.kind == Kind::kResource
                                          ? DecideResource(state, command, now, options)
                                          : DecideApiKey(state, command);
    if (!decided.ok()) return PrefixFieldErrors(decided.status(), command.resource.error_prefix);
    for (auto& event : decided->events) event = WithContext(std::move(event), command.context);
    return decided;
  }

  std::vector<EventData> out;
  switch (command.kind) {
    case Kind::kCreate: {
      if (!command.settings.has_name() || command.settings.name().empty()) {
        return Status::InvalidArgument("a new account needs a name");
      }
      if (Status s = ValidateSettings(command.settings); !s.ok()) return s;
      if (Status s = CheckAccountDestination(state, command.settings); !s.ok()) return s;
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
      const auto* descriptor = AccountSettings::descriptor();
      const auto* reflection = AccountSettings::GetReflection();
      for (const std::string& name : command.cleared_settings) {
        const FieldDescriptor* field = descriptor->FindFieldByName(name);
        if (field == nullptr) return Status::InvalidArgument("'" + name + "' is not an account setting");
        if (!IsOptionalSetting(name)) return InvalidFieldsStatus(name, "cannot be null");
        if (reflection->HasField(command.settings, field)) {
          return InvalidFieldsStatus(name, "is both set and cleared");
        }
        if (reflection->HasField(state.settings, field)) updated.add_cleared(name);
      }
      if (updated.changes().ByteSizeLong() == 0 && updated.cleared_size() == 0) {
        return AccountDecision{};  // nothing changes
      }
      AccountSettings merged = state.settings;
      merged.MergeFrom(updated.changes());
      ClearSettings(merged, updated.cleared());
      // Checked only when the update touches the destination: an unrelated change (a name)
      // is not refused over a destination it does not set.
      const bool touches_destination =
          updated.changes().has_did_default_dest_kind() || updated.changes().has_did_default_dest_id() ||
          std::find_if(updated.cleared().begin(), updated.cleared().end(), [](const std::string& name) {
            return name == "did_default_dest_kind" || name == "did_default_dest_id";
          }) != updated.cleared().end();
      if (touches_destination) {
        if (Status s = CheckAccountDestination(state, merged); !s.ok()) return s;
      }
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
    case Kind::kResource:
    case Kind::kApiKey:
    case Kind::kBatch:
      break;
  }
  AccountDecision decision;
  for (auto& event : out) decision.events.push_back(WithContext(std::move(event), command.context));
  return decision;
}

Result<std::vector<EventData>> DecideAccount(const AccountState& state,
                                             const AccountCommand& command,
                                             std::chrono::system_clock::time_point now) {
  Result<AccountDecision> decided = DecideAccountCommand(state, command, now, DecideOptions{});
  if (!decided.ok()) return decided.status();
  return std::move(decided->events);
}

std::string FormatFieldErrors(const std::vector<model::FieldError>& errors) {
  std::string message;
  for (const model::FieldError& error : errors) {
    if (!message.empty()) message += "; ";
    std::string text = Sanitize(error.message, false);
    if (error.path.empty()) {
      // Without a path, a ": " would read as one: keep the message free of it.
      for (size_t at = text.find(": "); at != std::string::npos; at = text.find(": ", at)) {
        text.replace(at, 2, " - ");
      }
      message += text;
    } else {
      message += Sanitize(error.path, true) + ": " + text;
    }
  }
  return message;
}

std::vector<model::FieldError> FieldErrorsOf(const Status& status) {
  std::vector<model::FieldError> errors;
  if (status.code() != ErrorCode::kInvalidArgument) return errors;
  std::string_view rest = status.message();
  while (!rest.empty()) {
    size_t end = rest.find("; ");
    std::string_view entry = rest.substr(0, end);
    size_t colon = entry.find(": ");
    if (colon == std::string_view::npos) {
      errors.push_back({"", std::string(entry)});
    } else {
      errors.push_back({std::string(entry.substr(0, colon)), std::string(entry.substr(colon + 2))});
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 2);
  }
  return errors;
}

std::string ReservationStream(const Reservation& reservation) {
  return "unique-" + reservation.scope + "-" + reservation.value;
}

Result<std::vector<EventData>> DecideClaim(const std::optional<RecordedEvent>& last,
                                           const Reservation& reservation,
                                           const CommandContext& context) {
  if (last && last->type == events::kReservationClaimed) {
    Result<events::ReservationClaimed> claim = ParseClaim(*last);
    if (!claim.ok()) return claim.status();
    if (SameHolder(*claim, reservation)) return std::vector<EventData>{};
    return Status::AlreadyExists(reservation.scope + " '" + reservation.value +
                                 "' is already taken");
  }
  events::ReservationClaimed claimed;
  claimed.set_scope(reservation.scope);
  claimed.set_value(reservation.value);
  claimed.set_account_id(reservation.account_id);
  claimed.set_kind(reservation.kind);
  claimed.set_resource_id(reservation.resource_id);
  return std::vector<EventData>{
      WithContext(events::MakeEvent(events::kReservationClaimed, claimed), context)};
}

std::vector<EventData> DecideRelease(const std::optional<RecordedEvent>& last,
                                     const Reservation& reservation,
                                     const CommandContext& context) {
  if (!last || last->type != events::kReservationClaimed) return {};
  Result<events::ReservationClaimed> claim = ParseClaim(*last);
  if (!claim.ok() || !SameHolder(*claim, reservation)) return {};
  events::ReservationReleased released;
  released.set_scope(reservation.scope);
  released.set_value(reservation.value);
  released.set_account_id(reservation.account_id);
  released.set_resource_id(reservation.resource_id);
  return {WithContext(events::MakeEvent(events::kReservationReleased, released), context)};
}

void NoteReceipt(CommandReceipt& receipt, const RecordedEvent& event) {
  auto note_document = [&](const std::string& kind, const std::string& id,
                           const std::string& document, uint64_t revision) {
    std::optional<Json> doc = ParseDocument(document);
    receipt.resource =
        ResourceResult{kind, id, doc ? std::move(*doc) : Json::object(), revision, false};
    receipt.resources.push_back(*receipt.resource);
  };
  if (event.type == events::kResourceCreated) {
    events::ResourceCreated m;
    if (m.ParseFromString(event.payload)) note_document(m.kind(), m.id(), m.document(), m.revision());
  } else if (event.type == events::kResourceUpdated) {
    events::ResourceUpdated m;
    if (m.ParseFromString(event.payload)) note_document(m.kind(), m.id(), m.document(), m.revision());
  } else if (event.type == events::kResourceDeleted) {
    events::ResourceDeleted m;
    if (!m.ParseFromString(event.payload)) return;
    receipt.resource = ResourceResult{m.kind(), m.id(), Json(), m.revision(), true};
    receipt.resources.push_back(*receipt.resource);
  } else if (event.type == events::kApiKeyCreated) {
    events::ApiKeyCreated m;
    if (m.ParseFromString(event.payload)) receipt.key_id = m.key_id();
  } else if (event.type == events::kApiKeyRevoked) {
    events::ApiKeyRevoked m;
    if (m.ParseFromString(event.payload)) receipt.key_id = m.key_id();
  }
}

AccountCommandResult MakeCommandResult(const AccountState& state, uint64_t position,
                                       const CommandReceipt& receipt) {
  AccountCommandResult result;
  result.account = ToAccountView(state);
  result.position = position;
  auto public_view = [](ResourceResult resource) {
    if (!resource.deleted) {
      if (const model::ResourceSpec* spec = model::FindResource(resource.kind)) {
        resource.document = model::PublicView(*spec, resource.document);
      }
    }
    return resource;
  };
  if (receipt.resource) result.resource = public_view(*receipt.resource);
  for (const ResourceResult& r : receipt.resources) result.resources.push_back(public_view(r));
  if (receipt.resources.empty() && result.resource) result.resources.push_back(*result.resource);
  result.key_id = receipt.key_id;
  result.minted_key = receipt.minted_key;
  return result;
}

std::optional<ApiKeyToken> ParseApiKey(std::string_view token) {
  auto is_hex = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  if (!token.starts_with(kApiKeyPrefix)) return std::nullopt;
  token.remove_prefix(kApiKeyPrefix.size());
  if (token.size() != 16 + 1 + 64 || token[16] != '_') return std::nullopt;
  std::string_view key_id = token.substr(0, 16), secret = token.substr(17);
  if (!is_hex(key_id) || !is_hex(secret)) return std::nullopt;
  return ApiKeyToken{std::string(key_id), std::string(secret)};
}

bool ApiKeySecretMatches(const ApiKeyRecord& key, std::string_view secret) {
  const std::string hash = Sha256Hex(secret);
  return hash.size() == key.secret_sha256.size() &&
         CRYPTO_memcmp(hash.data(), key.secret_sha256.data(), hash.size()) == 0;
}

bool IsValidApiKeyScope(std::string_view scope) {
  return std::find(kApiKeyScopes.begin(), kApiKeyScopes.end(), scope) != kApiKeyScopes.end();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

Result<std::string> OpenAccountSecret(const AccountState& state, std::string_view ref,
                                      std::string_view secret_key) {
  auto it = state.secrets.find(std::string(ref));
  if (it == state.secrets.end()) {
    return Status::NotFound("the account has no secret '" + std::string(ref) + "'");
  }
  return OpenSecret(secret_key, it->second, SecretAad(state.account_id, ref));
}

const StoredResource* AccountState::FindResource(std::string_view kind, std::string_view id) const {
  auto kind_it = resources.find(std::string(kind));
  if (kind_it == resources.end()) return nullptr;
  auto it = kind_it->second.find(std::string(id));
  return it == kind_it->second.end() ? nullptr : &it->second;
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
  view.account_revision = state.account_revision;
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
  snapshot.set_account_revision(state.account_revision);
  for (const auto& [kind, by_id] : state.resources) {
    // In id order, so equal states give equal snapshot bytes.
    std::vector<const std::pair<const std::string, StoredResource>*> ordered;
    ordered.reserve(by_id.size());
    for (const auto& entry : by_id) ordered.push_back(&entry);
    std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    for (const auto* entry : ordered) {
      events::SnapshotResource* r = snapshot.add_resources();
      r->set_kind(kind);
      r->set_id(entry->first);
      r->set_document(entry->second.document.dump());
      r->set_revision(entry->second.revision);
    }
  }
  for (const auto& [key_id, key] : state.api_keys) {
    events::SnapshotApiKey* k = snapshot.add_api_keys();
    events::ApiKeyCreated* created = k->mutable_created();
    created->set_account_id(state.account_id);
    created->set_key_id(key_id);
    created->set_secret_sha256(key.secret_sha256);
    for (const std::string& scope : key.scopes) created->add_scopes(scope);
    created->set_label(key.label);
    created->set_created_by(key.created_by);
    k->set_revoked(key.revoked);
    k->set_created_ms(key.created_ms);
  }
  for (const auto& [ref, sealed] : state.secrets) {
    events::SecretStored* s = snapshot.add_secrets();
    s->set_account_id(state.account_id);
    s->set_ref(ref);
    s->set_nonce(sealed.nonce);
    s->set_ciphertext(sealed.ciphertext);
  }
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
  state.account_revision = snapshot.account_revision();
  // Every account has its account.created event, so a revision of 0 is a snapshot written
  // before the field existed: refused, the stream is replayed instead.
  if (state.account_revision == 0) return Status::Corruption("account snapshot has no account_revision");
  for (const events::SnapshotResource& r : snapshot.resources()) {
    std::optional<Json> doc = ParseDocument(r.document());
    if (!doc || r.kind().empty() || r.id().empty()) {
      return Status::Corruption("account snapshot holds a malformed resource");
    }
    state.resources[r.kind()][r.id()] = StoredResource{std::move(*doc), r.revision()};
  }
  for (const events::SnapshotApiKey& k : snapshot.api_keys()) {
    ApiKeyRecord key;
    key.key_id = k.created().key_id();
    key.secret_sha256 = k.created().secret_sha256();
    key.scopes.assign(k.created().scopes().begin(), k.created().scopes().end());
    key.label = k.created().label();
    key.created_by = k.created().created_by();
    key.created_ms = k.created_ms();
    key.revoked = k.revoked();
    state.api_keys.emplace(key.key_id, std::move(key));
  }
  for (const events::SecretStored& s : snapshot.secrets()) {
    state.secrets[s.ref()] = SealedSecret{s.nonce(), s.ciphertext()};
  }
  RebuildIndexes(state);
  return state;
}

}  // namespace dialtone::actors
