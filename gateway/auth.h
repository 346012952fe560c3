// Who a request is and which account it acts on, for every dialect: the credential is
// verified against the config view, answered from a cache while the view's credentials
// are unchanged. A dialect chooses how a credential is presented (the native form below;
// EST also takes Basic key_id:secret) and renders the errors in its own shape.
//
// Credentials (natively `x-api-key: <key>` or `Authorization: Bearer <key>`):
//   - the platform admin key (gateway/admin_auth.h): principal "admin", every scope, acts
//     on any account, but must name it (`x-account-id` header or `account_id` query
//     parameter) on account-scoped routes;
//   - an account key "dtk_<key_id>_<secret>": looked up in the config view by key id, its
//     secret's SHA-256 compared in constant time; refused (401) when unknown, wrong,
//     revoked, or when its account is suspended or closed. It acts on its own account, or,
//     when that account is a reseller, on one of its direct children named as above. Any
//     other named account answers 404, exactly as an account that does not exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "gateway/access_token.h"
#include "gateway/admin_auth.h"
#include "gateway/http_types.h"
#include "gateway/api_error.h"
#include "projections/config_view.h"

namespace dialtone::gateway {

// The scope every configuration route needs ("*" grants every scope).
inline constexpr std::string_view kConfigScope = "config";

struct Principal {
  enum class Via { kAdmin, kApiKey, kAccessToken };
  Via via = Via::kApiKey;
  std::string key_id;                 // kApiKey, kAccessToken: the (token's) API key
  std::string key_account_id;         // the account the key belongs to
  bool key_account_is_reseller = false;
  std::vector<std::string> scopes;    // kAdmin: {"*"}; a token: the scopes it was issued with

  bool is_admin() const { return via == Via::kAdmin; }
  // "admin" or "key:<key_id>": the principal recorded on the events it causes.
  std::string CommandPrincipal() const;
  // "admin", "api_key" or "access_token".
  std::string_view ViaName() const;
  bool HasScope(std::string_view scope) const;
};

// The principals of account keys already verified, valid while the view's
// credentials_generation() is the one they were verified at (a key revoked, an account
// suspended or its reseller flag changed moves it). Thread-safe; at most `capacity`
// entries (full: emptied). Only successful verifications are kept.
class CredentialCache {
 public:
  explicit CredentialCache(size_t capacity = 4096) : capacity_(capacity) {}
  // A principal remembered at `generation` that has not expired at `now_s`.
  std::optional<Principal> Find(std::string_view presented, uint64_t generation, int64_t now_s = 0) const;
  void Remember(std::string_view presented, uint64_t generation, const Principal& principal, int64_t expires_s = 0);

 private:
  struct Entry {
    uint64_t generation = 0;
    Principal principal;
    int64_t expires_s = 0;  // 0: never (an API key); else the token's expiry
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  // presented credential -> entry (looked up by string_view: no copy per request)
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

struct AuthenticatorOptions {
  AdminKey admin_key;
  // Verifies the access tokens of the OAuth2 token endpoint (access_token.h); null: a
  // token is refused like any unknown credential.
  const AccessTokens* tokens = nullptr;
  std::function<int64_t()> now_s;  // the clock tokens expire by; empty: the system clock
  size_t cache_capacity = 4096;
};

// Verifies credentials for every dialect: the admin key, an account key, or an access
// token issued for an account key (checked at every use: the key not revoked, its
// account active). Thread-safe. Errors: 401 UNAUTHENTICATED (malformed, unknown, wrong,
// revoked; account suspended or closed; a token that is tampered, signed by another key
// or expired, whose error carries the `Bearer error="invalid_token"` challenge of RFC
// 6750 §3), 500/503 when the view fails.
class Authenticator {
 public:
  // `view` and the options' `tokens` must outlive the authenticator.
  Authenticator(const projections::ConfigView& view, AuthenticatorOptions options);

  // A presented credential. One verified at the view's current credentials generation is
  // answered from the cache (a token only until it expires).
  Result<Principal, ApiError> Verify(std::string_view presented) const;
  // The credential the request presents in the native form (PresentedApiKey: `x-api-key`
  // or `Authorization: Bearer`); a request without one is 401 as well.
  Result<Principal, ApiError> Authenticate(const Request& request) const;
  // An account key given as its two halves (OAuth2 client credentials): never the admin
  // key, never a token.
  Result<Principal, ApiError> VerifyAccountKey(std::string_view key_id, std::string_view secret) const;

  const projections::ConfigView& view() const { return view_; }
  const AccessTokens* tokens() const { return options_.tokens; }
  int64_t NowSeconds() const;

 private:
  Result<Principal, ApiError> VerifyToken(std::string_view token, uint64_t generation) const;
  // The principal of a stored, matching key: refused when revoked or its account is not
  // active. `what` names the credential in the errors ("API key", "access token").
  Result<Principal, ApiError> PrincipalOfKey(const projections::ApiKeyRow& key, std::string_view what) const;

  const projections::ConfigView& view_;
  const AuthenticatorOptions options_;
  mutable CredentialCache cache_;
};

// The account id the request names (`x-account-id`, else `account_id` query); nullopt when
// it names none. Error 400 when both name different accounts or the value is empty.
Result<std::optional<std::string>, ApiError> NamedAccount(const Request& request);

// The account the request acts on. A key: its own account unless it names another one it
// may act on (404 otherwise). The admin: the named account, which must exist (404); when
// none is named, "" if `required` is false, else 400.
Result<std::string, ApiError> ResolveActingAccount(const Request& request, const Principal& principal,
                                                   const projections::ConfigView& view,
                                                   bool required = true);

// The account row of `account_id`, nullopt when it does not exist.
Result<std::optional<projections::ResourceRow>, ApiError> LoadAccountRow(
    const projections::ConfigView& view, std::string_view account_id);

// True when `principal` may see account `account_id` at all: the admin, the key's own
// account, or a direct child of the key's reseller account (`row` is that account's row).
bool CanSeeAccount(const Principal& principal, const projections::ResourceRow& row);
// True when `principal` manages `row` as its parent: the admin, or the key of the
// account's reseller parent.
bool ManagesAccount(const Principal& principal, const projections::ResourceRow& row);

}  // namespace dialtone::gateway
