#include "domain/account_fold.h"

#include <algorithm>
#include <cassert>

#include "domain/rules_internal.h"
#include "events/event_types.h"
#include "model/schema.h"
#include "model/validate.h"
#include "resource.pb.h"

namespace dialtone::domain {

namespace internal {

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

std::optional<nlohmann::json> ParseDocument(const std::string& text, std::string_view kind) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  if (const model::ResourceSpec* spec = model::FindResource(kind)) return model::UpgradeStored(*spec, std::move(doc));
  return doc;
}

events::AccountSettings WithDefaults(const events::AccountSettings& given) {
  events::AccountSettings s;
  s.set_name("");
  s.set_timezone("UTC");
  s.set_language("en-US");
  s.set_voice_gender("female");
  s.set_is_reseller(false);
  s.MergeFrom(given);
  return s;
}

bool ClearSettings(events::AccountSettings& settings, const google::protobuf::RepeatedPtrField<std::string>& names) {
  const auto* descriptor = events::AccountSettings::descriptor();
  const auto* reflection = events::AccountSettings::GetReflection();
  for (const std::string& name : names) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr) return false;
    reflection->ClearField(&settings, field);
  }
  return true;
}

}  // namespace internal

namespace {

using events::AccountSettings;
using events::RecordedEvent;
using google::protobuf::FieldDescriptor;
using internal::OutgoingRefs;
using internal::ClearSettings;
using internal::ParseDocument;
using internal::WithDefaults;
using Json = nlohmann::json;

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
    std::optional<nlohmann::json> doc = ParseDocument(m.document(), m.kind());
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
    std::optional<nlohmann::json> doc = ParseDocument(m.document(), m.kind());
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

Result<AccountStatus> ParseStatus(std::string_view name) {
  if (name == "active") return AccountStatus::kActive;
  if (name == "suspended") return AccountStatus::kSuspended;
  if (name == "closed") return AccountStatus::kClosed;
  return Status::Corruption("account snapshot has unknown status '" + std::string(name) + "'");
}

}  // namespace

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
    std::optional<Json> doc = ParseDocument(r.document(), r.kind());
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

}  // namespace dialtone::domain
