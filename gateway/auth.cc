#include "gateway/auth.h"

#include <algorithm>
#include <chrono>

#include "commands/api_keys.h"
#include "gateway/json_body.h"

namespace dialtone::gateway {

namespace {

constexpr std::string_view kAccountKind = "account";

ApiError AccountNotFound(std::string_view account_id) {
  return ApiError::NotFound("account '" + std::string(account_id) + "' not found");
}

}  // namespace

std::string Principal::CommandPrincipal() const { return is_admin() ? "admin" : "key:" + key_id; }

std::string_view Principal::ViaName() const {
  switch (via) {
    case Via::kAdmin: return "admin";
    case Via::kApiKey: return "api_key";
    case Via::kAccessToken: return "access_token";
  }
  return "api_key";
}

bool Principal::HasScope(std::string_view scope) const {
  return std::any_of(scopes.begin(), scopes.end(),
                     [&](const std::string& s) { return s == "*" || s == scope; });
}

Result<std::optional<projections::ResourceRow>, ApiError> LoadAccountRow(
    const projections::ConfigView& view, std::string_view account_id) {
  if (account_id.empty() || account_id.find('\0') != std::string_view::npos) {
    return std::optional<projections::ResourceRow>();
  }
  auto row = view.Get(account_id, kAccountKind, account_id);
  if (!row.ok()) return ApiErrorOfStatus(row.status());
  return std::move(row).value();
}

std::optional<Principal> CredentialCache::Find(std::string_view presented, uint64_t generation, int64_t now_s) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(presented);
  if (it == entries_.end() || it->second.generation != generation) return std::nullopt;
  if (it->second.expires_s != 0 && now_s >= it->second.expires_s) return std::nullopt;
  return it->second.principal;
}

void CredentialCache::Remember(std::string_view presented, uint64_t generation, const Principal& principal,
                               int64_t expires_s) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[std::string(presented)] = Entry{generation, principal, expires_s};
}

Authenticator::Authenticator(const projections::ConfigView& view, AuthenticatorOptions options)
    : view_(view), options_(std::move(options)), cache_(options_.cache_capacity) {}

int64_t Authenticator::NowSeconds() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<Principal, ApiError> Authenticator::Authenticate(const Request& request) const {
  const std::optional<std::string_view> presented = PresentedApiKey(request);
  if (!presented || presented->empty()) {
    return ApiError::Unauthenticated(
        "an API key is required (x-api-key header or Authorization: Bearer)");
  }
  return Verify(*presented);
}

Result<Principal, ApiError> Authenticator::Verify(std::string_view presented) const {
  const std::optional<commands::ApiKeyToken> token = commands::ParseApiKey(presented);
  const bool access_token = !token && AccessTokens::LooksLikeToken(presented);
  // Neither an account key nor an access token is the admin key (it has neither shape):
  // the admin check, a SHA-256, is left for the other credentials.
  if (!token && !access_token && options_.admin_key.Matches(presented)) {
    Principal admin;
    admin.via = Principal::Via::kAdmin;
    admin.scopes = {"*"};
    return admin;
  }
  // Read before the lookups: a change folded meanwhile moves it, so what is remembered
  // below is never newer than the generation it is filed under.
  const uint64_t generation = view_.credentials_generation();
  if (auto known = cache_.Find(presented, generation, NowSeconds())) return std::move(*known);
  if (access_token) return VerifyToken(presented, generation);
  if (!token) return ApiError::Unauthenticated("the API key is not valid");
  auto principal = VerifyAccountKey(token->key_id, token->secret);
  if (principal.ok()) cache_.Remember(presented, generation, *principal);
  return principal;
}

Result<Principal, ApiError> Authenticator::VerifyAccountKey(std::string_view key_id, std::string_view secret) const {
  auto found = view_.FindApiKey(key_id);
  if (!found.ok()) return ApiErrorOfStatus(found.status());
  if (!found->has_value()) return ApiError::Unauthenticated("the API key is not valid");
  const projections::ApiKeyRow& key = **found;
  if (!commands::ApiKeySecretMatches(key.secret_sha256, secret)) {
    return ApiError::Unauthenticated("the API key is not valid");
  }
  return PrincipalOfKey(key, "API key");
}

Result<Principal, ApiError> Authenticator::VerifyToken(std::string_view token, uint64_t generation) const {
  auto invalid = [](std::string description) {
    ApiError error = ApiError::Unauthenticated(description);
    error.challenge = "Bearer error=\"invalid_token\", error_description=\"" + description + "\"";
    return error;
  };
  if (options_.tokens == nullptr) return invalid("access tokens are not accepted here");
  const int64_t now_s = NowSeconds();
  auto claims = options_.tokens->Verify(token, now_s);
  if (!claims.ok()) {
    switch (claims.error().kind) {
      case TokenError::Kind::kExpired: return invalid("the access token has expired");
      case TokenError::Kind::kBadSignature: return invalid("the access token was not issued here or was altered");
      default: return invalid("the access token is malformed");
    }
  }
  auto found = view_.FindApiKey(claims->key_id);
  if (!found.ok()) return ApiErrorOfStatus(found.status());
  if (!found->has_value() || (*found)->account_id != claims->account_id) {
    return invalid("the access token's API key does not exist");
  }
  auto principal = PrincipalOfKey(**found, "access token's API key");
  if (!principal.ok()) {
    ApiError error = principal.error();
    if (error.status == 401) error = invalid(error.message);
    return error;
  }
  principal->via = Principal::Via::kAccessToken;
  principal->scopes = claims->scopes;
  cache_.Remember(token, generation, *principal, claims->expires_s);
  return principal;
}

Result<Principal, ApiError> Authenticator::PrincipalOfKey(const projections::ApiKeyRow& key, std::string_view what) const {
  if (key.revoked) return ApiError::Unauthenticated("the " + std::string(what) + " has been revoked");
  auto account = LoadAccountRow(view_, key.account_id);
  if (!account.ok()) return account.error();
  if (!account->has_value()) return ApiError::Unauthenticated("the " + std::string(what) + "'s account does not exist");
  const std::string status = DocString((*account)->document, "status");
  if (status != "active") {
    return ApiError::Unauthenticated("the " + std::string(what) + "'s account '" + key.account_id + "' is " +
                                     (status.empty() ? std::string("not active") : status) +
                                     "; its keys are refused");
  }
  Principal principal;
  principal.via = Principal::Via::kApiKey;
  principal.key_id = key.key_id;
  principal.key_account_id = key.account_id;
  principal.key_account_is_reseller = DocFlag((*account)->document, "is_reseller");
  principal.scopes = key.scopes;
  return principal;
}

Result<std::optional<std::string>, ApiError> NamedAccount(const Request& request) {
  const std::optional<std::string_view> header = request.headers.Get("x-account-id");
  const std::optional<std::string_view> query = request.QueryParam("account_id");
  if (header && query && *header != *query) {
    return ApiError::InvalidArgument(
        "x-account-id and the account_id query parameter name different accounts");
  }
  const std::optional<std::string_view> named = header ? header : query;
  if (!named) return std::optional<std::string>();
  if (named->empty()) return ApiError::InvalidArgument("the named account id is empty");
  return std::optional<std::string>(std::string(*named));
}

bool CanSeeAccount(const Principal& principal, const projections::ResourceRow& row) {
  if (principal.is_admin()) return true;
  if (row.id == principal.key_account_id) return true;
  return principal.key_account_is_reseller &&
         DocString(row.document, "parent_id") == principal.key_account_id;
}

bool ManagesAccount(const Principal& principal, const projections::ResourceRow& row) {
  if (principal.is_admin()) return true;
  return principal.key_account_is_reseller && row.id != principal.key_account_id &&
         DocString(row.document, "parent_id") == principal.key_account_id;
}

Result<std::string, ApiError> ResolveActingAccount(const Request& request, const Principal& principal,
                                                   const projections::ConfigView& view,
                                                   bool required) {
  auto named = NamedAccount(request);
  if (!named.ok()) return named.error();
  if (!named->has_value()) {
    if (!principal.is_admin()) return principal.key_account_id;
    if (!required) return std::string();
    return ApiError::InvalidArgument(
        "the admin key acts on no account by itself: name one with the x-account-id header "
        "or the account_id query parameter");
  }
  const std::string& account_id = **named;
  if (!principal.is_admin() && account_id == principal.key_account_id) return account_id;
  auto row = LoadAccountRow(view, account_id);
  if (!row.ok()) return row.error();
  if (!row->has_value() || !CanSeeAccount(principal, **row)) return AccountNotFound(account_id);
  return account_id;
}

}  // namespace dialtone::gateway
