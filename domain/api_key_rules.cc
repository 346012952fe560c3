// Decisions on the account's API keys: mint and revoke.
#include <openssl/rand.h>

#include <algorithm>

#include "commands/api_keys.h"
#include "common/hex.h"
#include "domain/rules_internal.h"
#include "events/event_types.h"

namespace dialtone::domain::internal {

namespace {

using commands::AccountCommand;
using commands::ApiKeyCommand;
using commands::CommandError;

constexpr size_t kMaxApiKeyLabel = 200;

}  // namespace

Result<std::string> RandomHex(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("the random source failed");
  }
  return LowerHex(bytes);
}

Decided DecideApiKey(const AccountState& state, const AccountCommand& command) {
  const ApiKeyCommand& kc = command.api_key;
  AccountDecision decision;
  if (kc.op == ApiKeyCommand::Op::kRevoke) {
    auto it = state.api_keys.find(kc.key_id);
    if (it == state.api_keys.end()) {
      return CommandError(Status::NotFound("API key '" + kc.key_id + "' does not exist"));
    }
    if (it->second.revoked) {
      return CommandError(Status::FailedPrecondition("API key '" + kc.key_id + "' is already revoked"));
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
    if (!commands::IsValidApiKeyScope(kc.scopes[i])) {
      return CommandError::InvalidField("scopes[" + std::to_string(i) + "]",
                                        "'" + kc.scopes[i] + "' is not one of " +
                                            std::string(commands::ApiKeyScopeList()));
    }
    if (std::find(scopes.begin(), scopes.end(), kc.scopes[i]) == scopes.end()) {
      scopes.push_back(kc.scopes[i]);
    }
  }
  if (scopes.empty()) scopes.push_back("*");
  if (kc.label.size() > kMaxApiKeyLabel) {
    return CommandError::InvalidField("label", "must be at most 200 bytes");
  }
  Result<std::string> key_id = RandomHex(8);
  if (!key_id.ok()) return CommandError(key_id.status());
  while (state.api_keys.contains(*key_id)) {  // 64 random bits: practically never
    key_id = RandomHex(8);
    if (!key_id.ok()) return CommandError(key_id.status());
  }
  Result<std::string> secret = RandomHex(32);
  if (!secret.ok()) return CommandError(secret.status());

  events::ApiKeyCreated created;
  created.set_account_id(command.account_id);
  created.set_key_id(*key_id);
  created.set_secret_sha256(commands::Sha256Hex(*secret));
  for (const std::string& scope : scopes) created.add_scopes(scope);
  created.set_label(kc.label);
  created.set_created_by(command.context.principal);
  decision.events.push_back(events::MakeEvent(events::kApiKeyCreated, created));
  decision.receipt.key_id = *key_id;
  decision.receipt.minted_key = std::string(commands::kApiKeyPrefix) + *key_id + "_" + *secret;
  return decision;
}

}  // namespace dialtone::domain::internal
