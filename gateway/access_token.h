// OAuth2 access tokens (RFC 6749 §4.4 client credentials): compact JWTs (RFC 7519), HS256
// (RFC 7518 §3.2) under the deployment's token key, bound to the API key they were issued
// for. A token says who it was issued to and until when; whether that key is still valid
// (not revoked, its account active) is checked by the authenticator at every use.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dialtone::gateway {

struct TokenClaims {
  std::string key_id;              // "sub": the API key the token was issued for
  std::string account_id;          // "acc": that key's account
  std::vector<std::string> scopes; // "scope", space separated
  int64_t issued_s = 0;            // "iat"
  int64_t expires_s = 0;           // "exp": refused from this second on
};

struct TokenError {
  enum class Kind : uint8_t { kNone, kMalformed, kBadSignature, kExpired };
  Kind kind = Kind::kNone;
  bool ok() const { return kind == Kind::kNone; }
};

// Where the signing key comes from (the deployment's, kept in the log: app/token_key.h).
// `create` false: the key if there is one yet (nullopt: none); true: made if there is none.
using TokenKeySource = std::function<Result<std::optional<std::string>>(bool create)>;

class AccessTokens {
 public:
  static constexpr size_t kKeyBytes = 32;

  // The key is fetched from `source` when first needed (a mint makes it; a verification
  // before any mint finds none and refuses), then kept. Thread-safe.
  explicit AccessTokens(TokenKeySource source) : source_(std::move(source)) {}
  // A fixed key (tests, tools).
  static AccessTokens WithKey(std::string key);

  // header.payload.signature (base64url, no padding). Errors: the source's, or a key that
  // is not kKeyBytes (kCorruption).
  Result<std::string> Mint(const TokenClaims& claims) const;
  // The claims of a token this key signed that has not expired at `now_s`. kMalformed:
  // not a JWT of ours (shape, alg, claims); kBadSignature: signed by another key (or by
  // none, before the deployment has one) or altered.
  Result<TokenClaims, TokenError> Verify(std::string_view token, int64_t now_s) const;

  // True when `presented` has a JWT's shape (three base64url parts): an access token,
  // never an API key or the admin key.
  static bool LooksLikeToken(std::string_view presented);

 private:
  // The key, fetched once; nullopt when there is none and `create` is false.
  Result<std::optional<std::string>> Key(bool create) const;
  static std::string Sign(std::string_view key, std::string_view signing_input);

  TokenKeySource source_;
  mutable std::mutex mu_;
  mutable std::optional<std::string> key_;
};

}  // namespace dialtone::gateway
