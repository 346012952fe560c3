#include "commands/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "common/hex.h"

namespace dialtone::commands {

namespace {

constexpr std::array<std::string_view, 9> kApiKeyScopes = {
    "cdr", "agents", "queues", "numbers", "dnc", "campaign", "webhooks", "config", "*"};

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<ApiKeyToken> ParseApiKey(std::string_view token) {
  if (!token.starts_with(kApiKeyPrefix)) return std::nullopt;
  token.remove_prefix(kApiKeyPrefix.size());
  if (token.size() != 16 + 1 + 64 || token[16] != '_') return std::nullopt;
  std::string_view key_id = token.substr(0, 16), secret = token.substr(17);
  if (!IsLowerHex(key_id) || !IsLowerHex(secret)) return std::nullopt;
  return ApiKeyToken{std::string(key_id), std::string(secret)};
}

bool ApiKeySecretMatches(std::string_view secret_sha256, std::string_view secret) {
  const std::string hash = Sha256Hex(secret);
  return hash.size() == secret_sha256.size() &&
         CRYPTO_memcmp(hash.data(), secret_sha256.data(), hash.size()) == 0;
}

bool IsValidApiKeyScope(std::string_view scope) {
  return std::find(kApiKeyScopes.begin(), kApiKeyScopes.end(), scope) != kApiKeyScopes.end();
}

std::string_view ApiKeyScopeList() { return "cdr, agents, queues, numbers, dnc, campaign, webhooks, config, *"; }

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace dialtone::commands
