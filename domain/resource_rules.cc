// Decisions on configuration resources: create, patch, put, publish, delete.
#include "domain/rules_internal.h"

#include <algorithm>
#include <set>

#include "commands/api_keys.h"
#include "domain/secret_box.h"
#include "events/event_types.h"
#include "model/schema.h"
#include "model/validate.h"
#include "resource.pb.h"

namespace dialtone::domain::internal {

namespace {

using commands::AccountCommand;
using commands::CommandError;
using commands::ResourceCommand;
using commands::ResourceResult;
using events::EventData;
using Json = nlohmann::json;

constexpr size_t kMaxResourceIdLength = 64;

// Seconds since the epoch: resources carry epoch seconds.
int64_t EpochSeconds(std::chrono::system_clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

CommandError ValidateResourceId(std::string_view id) {
  if (id.empty() || id.size() > kMaxResourceIdLength) {
    return CommandError::InvalidField("id", "must be 1 to 64 characters");
  }
  for (char c : id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!allowed) return CommandError::InvalidField("id", "may hold only letters, digits, '_', '-' and '.'");
  }
  return {};
}

// A new id: the kind's prefix + 32 hex digits, random, or derived from the idempotency key
// (a retry decides the same id).
Result<std::string> MintResourceId(const model::ResourceSpec& spec, const AccountCommand& command) {
  if (!command.context.idempotency_key.empty()) {
    std::string seed = command.account_id + '\n' + spec.kind + '\n' + command.context.idempotency_key;
    return spec.id_prefix + commands::Sha256Hex(seed).substr(0, 32);
  }
  Result<std::string> random = RandomHex(16);
  if (!random.ok()) return random;
  return spec.id_prefix + *random;
}

// Every reference of `doc` (and its parent) must name a resource of this account.
CommandError CheckReferences(const AccountState& state, const model::ResourceSpec& spec, const Json& doc) {
  std::vector<model::FieldError> errors;
  for (const model::ResourceRef& ref : OutgoingRefs(spec, doc)) {
    if (state.FindResource(ref.kind, ref.id) != nullptr) continue;
    errors.push_back({ref.field, ref.kind + " '" + ref.id + "' does not exist in this account"});
  }
  if (errors.empty()) return {};
  return CommandError::InvalidFields(std::move(errors));
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

CommandError FromValidation(const model::ValidationErrors& errors) {
  if (errors.errors.empty()) return CommandError(Status::InvalidArgument(errors.status.message()));
  return CommandError::InvalidFields(errors.errors);
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

// A delete with cascade rules: the planned steps, then the delete itself, as one batch.
Decided DecideCascadingDelete(const AccountState& state, const AccountCommand& command,
                              std::chrono::system_clock::time_point now, const DecideOptions& options) {
  AccountCommand batch;
  batch.kind = AccountCommand::Kind::kBatch;
  batch.account_id = command.account_id;
  batch.context = command.context;
  const ResourceCommand& rc = command.resource;
  auto step = [&](ResourceCommand resource) {
    AccountCommand one;
    one.kind = AccountCommand::Kind::kResource;
    one.account_id = command.account_id;
    one.resource = std::move(resource);
    batch.steps.push_back(std::move(one));
  };
  for (ResourceCommand& planned : PlanCascade(state, ResourceKey{rc.kind, rc.id}, rc.cascade)) step(std::move(planned));
  ResourceCommand last = rc;
  last.cascade.clear();
  step(std::move(last));
  return DecideBatch(state, batch, now, options);
}

}  // namespace

Decided DecideResource(const AccountState& state, const AccountCommand& command,
                       std::chrono::system_clock::time_point now, const DecideOptions& options) {
  using Op = ResourceCommand::Op;
  const ResourceCommand& rc = command.resource;
  if (!rc.cascade.empty()) {
    if (rc.op != Op::kDelete) return CommandError(Status::InvalidArgument("only a delete cascades"));
    return DecideCascadingDelete(state, command, now, options);
  }
  const model::ResourceSpec* spec = model::FindResource(rc.kind);
  if (spec == nullptr || spec->kind == "account") {
    return CommandError(Status::InvalidArgument("'" + rc.kind + "' is not a kind of resource"));
  }
  AccountDecision decision;
  const int64_t now_s = EpochSeconds(now);

  if (rc.op == Op::kCreate) {
    std::string id = rc.id;
    if (id.empty()) {
      Result<std::string> minted = MintResourceId(*spec, command);
      if (!minted.ok()) return CommandError(minted.status());
      id = std::move(minted).value();
    } else if (CommandError e = ValidateResourceId(id); !e.ok()) {
      return e;
    }
    if (state.FindResource(spec->kind, id) != nullptr) {
      return CommandError(Status::AlreadyExists(spec->kind + " '" + id + "' already exists"));
    }
    model::NormalizeResult normalized = model::NormalizeCreate(*spec, rc.body);
    if (!normalized.ok()) return FromValidation(normalized.error());
    Json doc = std::move(normalized->document);
    if (Status s = MergeServerFields(*spec, rc, doc); !s.ok()) return CommandError(s);
    model::StampCreate(doc, id, command.account_id, now_s);
    const ResourceKey key{spec->kind, id};
    if (CommandError e = CheckReferences(state, *spec, doc); !e.ok()) return e;
    Result<std::vector<model::UniqueKey>> claims = CheckUniqueness(state, *spec, key, doc);
    if (!claims.ok()) return CommandError(claims.status());
    for (const model::UniqueKey& u : *claims) {
      decision.claims.push_back(ReservationFor(u, command, key));
    }
    if (Status s = SealSecrets(normalized->secrets_to_store, command, options, decision.events);
        !s.ok()) {
      return CommandError(s);
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
    return CommandError(Status::NotFound(Describe(rc) + " does not exist"));
  }
  if (rc.if_match_revision && *rc.if_match_revision != existing->revision) {
    return CommandError::VersionMismatch(Describe(rc) + " is at revision " + std::to_string(existing->revision) +
                                             ", not the expected " + std::to_string(*rc.if_match_revision),
                                         existing->revision);
  }
  const ResourceKey key{spec->kind, rc.id};

  if (rc.op == Op::kDelete) {
    std::vector<ResourceKey> referrers;
    if (state.settings.did_default_dest_kind() == spec->kind && state.settings.did_default_dest_id() == rc.id) {
      referrers.push_back(ResourceKey{"account", command.account_id});
    }
    if (auto it = state.referrers.find(key); it != state.referrers.end()) {
      for (const ResourceKey& referrer : it->second) {
        if (referrer != key) referrers.push_back(referrer);
      }
    }
    if (!referrers.empty()) return CommandError::ReferredTo(key, std::move(referrers));
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
      return CommandError(Status::InvalidArgument("only a flow can be published, not a " + spec->kind));
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
    if (Status s = MergeServerFields(*spec, rc, doc); !s.ok()) return CommandError(s);
  }
  if (doc == existing->document && secrets_to_store.empty() && secrets_to_delete.empty()) {
    // Nothing changes: no event, the current revision.
    decision.receipt.resource = ResourceResult{spec->kind, rc.id, doc, existing->revision, false};
    return decision;
  }
  model::StampUpdate(doc, now_s);
  if (CommandError e = CheckReferences(state, *spec, doc); !e.ok()) return e;
  Result<std::vector<model::UniqueKey>> claims = CheckUniqueness(state, *spec, key, doc);
  if (!claims.ok()) return CommandError(claims.status());
  for (const model::UniqueKey& u : *claims) decision.claims.push_back(ReservationFor(u, command, key));
  for (const model::UniqueKey& u : PlatformKeysDropped(*spec, existing->document, &doc)) {
    decision.releases.push_back(ReservationFor(u, command, key));
  }
  if (Status s = SealSecrets(secrets_to_store, command, options, decision.events); !s.ok()) {
    return CommandError(s);
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


}  // namespace dialtone::domain::internal

namespace dialtone::domain {

std::vector<commands::ResourceCommand> PlanCascade(const AccountState& state, const ResourceKey& target,
                                                   const std::vector<commands::CascadeRule>& cascade) {
  std::vector<commands::ResourceCommand> planned;
  auto it = state.referrers.find(target);
  if (it == state.referrers.end()) return planned;
  std::set<ResourceKey> seen;
  for (const commands::CascadeRule& rule : cascade) {
    for (const ResourceKey& referrer : it->second) {  // in (kind, id) order
      if (referrer.kind != rule.kind || seen.contains(referrer)) continue;
      const StoredResource* stored = state.FindResource(referrer.kind, referrer.id);
      if (stored == nullptr) continue;
      auto field = stored->document.find(rule.field);
      if (field == stored->document.end() || !field->is_string() || field->get<std::string>() != target.id) continue;
      seen.insert(referrer);
      commands::ResourceCommand step;
      step.kind = referrer.kind;
      step.id = referrer.id;
      if (rule.action == commands::CascadeRule::Action::kDelete) {
        step.op = commands::ResourceCommand::Op::kDelete;
      } else {
        step.op = commands::ResourceCommand::Op::kPatch;
        step.body = nlohmann::json{{rule.field, nullptr}};
      }
      planned.push_back(std::move(step));
    }
  }
  return planned;
}

}  // namespace dialtone::domain
