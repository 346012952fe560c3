#include "gateway/access_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace dialtone::gateway {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kIssuer = "dialtone";

bool IsUrlSafe(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Splits "a.b.c" into its three parts; false for any other shape.
bool SplitToken(std::string_view token, std::string_view parts[3]) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return false;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return false;
  parts[0] = token.substr(0, first);
  parts[1] = token.substr(first + 1, second - first - 1);
  parts[2] = token.substr(second + 1);
  for (int i = 0; i < 3; ++i) {
    if (parts[i].empty() || !std::all_of(parts[i].begin(), parts[i].end(), IsUrlSafe)) return false;
  }
  return true;
}

std::string Header() { return Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})"); }

}  // namespace

AccessTokens AccessTokens::WithKey(std::string key) {
  return AccessTokens([key = std::move(key)](bool) -> Result<std::optional<std::string>> {
    return std::optional<std::string>(key);
  });
}

Result<std::optional<std::string>> AccessTokens::Key(bool create) const {
  std::lock_guard lock(mu_);
  if (key_) return key_;
  auto fetched = source_(create);
  if (!fetched.ok()) return fetched;
  if (!fetched->has_value()) return std::optional<std::string>();
  if ((*fetched)->size() != kKeyBytes) {
    return Status::Corruption("the token key is not " + std::to_string(kKeyBytes) + " bytes");
  }
  key_ = std::move(**fetched);
  return key_;
}

std::string AccessTokens::Sign(std::string_view key, std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

Result<std::string> AccessTokens::Mint(const TokenClaims& claims) const {
  auto key = Key(true);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return Status::Internal("the token key source made no key");
  std::string scope;
  for (const std::string& s : claims.scopes) scope += (scope.empty() ? "" : " ") + s;
  const Json payload = {{"iss", kIssuer},           {"sub", claims.key_id},     {"acc", claims.account_id},
                        {"scope", scope},           {"iat", claims.issued_s},   {"exp", claims.expires_s}};
  const std::string signing_input = Header() + "." + Base64UrlEncode(payload.dump());
  return signing_input + "." + Sign(**key, signing_input);
}

Result<TokenClaims, TokenError> AccessTokens::Verify(std::string_view token, int64_t now_s) const {
  const TokenError malformed{TokenError::Kind::kMalformed};
  std::string_view parts[3];
  if (!SplitToken(token, parts)) return malformed;
  auto key = Key(false);
  if (!key.ok() || !key->has_value()) return TokenError{TokenError::Kind::kBadSignature};
  const std::string signing_input = std::string(parts[0]) + "." + std::string(parts[1]);
  const std::string expected = Sign(**key, signing_input);
  if (expected.size() != parts[2].size() || CRYPTO_memcmp(expected.data(), parts[2].data(), expected.size()) != 0) {
    return TokenError{TokenError::Kind::kBadSignature};
  }
  // Signed by this key: the header and payload are ours, but checked all the same.
  const auto header = Base64UrlDecode(parts[0]);
  const auto payload_text = Base64UrlDecode(parts[1]);
  if (!header || !payload_text) return malformed;
  const Json head = Json::parse(*header, nullptr, false);
  if (!head.is_object() || head.value("alg", "") != "HS256") return malformed;
  const Json payload = Json::parse(*payload_text, nullptr, false);
  if (!payload.is_object() || payload.value("iss", "") != kIssuer) return malformed;
  TokenClaims claims;
  const auto sub = payload.find("sub");
  const auto acc = payload.find("acc");
  const auto scope = payload.find("scope");
  const auto iat = payload.find("iat");
  const auto exp = payload.find("exp");
  if (sub == payload.end() || !sub->is_string() || acc == payload.end() || !acc->is_string() ||
      scope == payload.end() || !scope->is_string() || iat == payload.end() || !iat->is_number_integer() ||
      exp == payload.end() || !exp->is_number_integer()) {
    return malformed;
  }
  claims.key_id = sub->get<std::string>();
  claims.account_id = acc->get<std::string>();
  claims.issued_s = iat->get<int64_t>();
  claims.expires_s = exp->get<int64_t>();
  std::string_view rest = scope->get_ref<const std::string&>();
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    if (space != 0) claims.scopes.emplace_back(rest.substr(0, space));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  if (now_s >= claims.expires_s) return TokenError{TokenError::Kind::kExpired};
  return claims;
}

bool AccessTokens::LooksLikeToken(std::string_view presented) {
  std::string_view parts[3];
  return SplitToken(presented, parts);
}

}  // namespace dialtone::gateway
