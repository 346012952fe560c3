// The shape of an account's API key and of its scopes: what a dialect checks a presented
// key against (with the SHA-256 the config view holds) and what a mint command may ask
// for. Plain functions; no account state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone::commands {

// API keys are "dtk_<key_id>_<secret>": key_id 16 lowercase hex digits, secret 64.
inline constexpr std::string_view kApiKeyPrefix = "dtk_";
struct ApiKeyToken {
  std::string key_id;
  std::string secret;
};
// nullopt when `token` does not have that shape.
std::optional<ApiKeyToken> ParseApiKey(std::string_view token);
// True when `secret` hashes to `secret_sha256` (lowercase hex, as stored; compared in
// constant time).
bool ApiKeySecretMatches(std::string_view secret_sha256, std::string_view secret);
// The scopes a key may carry: cdr, agents, queues, numbers, dnc, campaign, webhooks,
// config, and "*" (all).
bool IsValidApiKeyScope(std::string_view scope);
// "cdr, agents, queues, numbers, dnc, campaign, webhooks, config, *".
std::string_view ApiKeyScopeList();
// Lowercase hex SHA-256: how a key's secret is stored.
std::string Sha256Hex(std::string_view data);

}  // namespace dialtone::commands
