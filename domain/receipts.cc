// What a command's reply says: receipts noted from appended events, and the result.
#include "domain/account_rules.h"
#include "domain/rules_internal.h"
#include "events/event_types.h"
#include "model/schema.h"
#include "model/validate.h"
#include "resource.pb.h"

namespace dialtone::domain {

using commands::ResourceResult;
using events::RecordedEvent;
using internal::ParseDocument;
using Json = nlohmann::json;

void NoteReceipt(CommandReceipt& receipt, const RecordedEvent& event) {
  auto note_document = [&](const std::string& kind, const std::string& id,
                           const std::string& document, uint64_t revision) {
    std::optional<Json> doc = ParseDocument(document, kind);
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

commands::AccountCommandResult MakeCommandResult(const AccountState& state, uint64_t position,
                                       const CommandReceipt& receipt) {
  commands::AccountCommandResult result;
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

}  // namespace dialtone::domain
