#include "gateway/auth.h"

#include <algorithm>

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

std::string_view Principal::ViaName() const { return is_admin() ? "admin" : "api_key"; }

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

std::optional<Principal> CredentialCache::Find(std::string_view presented, uint64_t generation) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(presented);
  if (it == entries_.end() || it->second.generation != generation) return std::nullopt;
  return it->second.principal;
}

void CredentialCache::Remember(std::string_view presented, uint64_t generation, const Principal& principal) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[std::string(presented)] = Entry{generation, principal};
}

Result<Principal, ApiError> Authenticate(const Request& request, const AdminKey& admin_key,
                                         const projections::ConfigView& view, CredentialCache* cache) {
  const std::optional<std::string_view> presented = PresentedApiKey(request);
  if (!presented || presented->empty()) {
    return ApiError::Unauthenticated(
        "an API key is required (x-api-key header or Authorization: Bearer)");
  }
  return VerifyCredential(*presented, admin_key, view, cache);
}

Result<Principal, ApiError> VerifyCredential(std::string_view presented, const AdminKey& admin_key,
                                             const projections::ConfigView& view, CredentialCache* cache) {
  const std::optional<commands::ApiKeyToken> token = commands::ParseApiKey(presented);
  // An account key never is the admin key (the admin key is not of that shape): the
  // admin check, a SHA-256, is left for the other credentials.
  if (!token && admin_key.Matches(presented)) {
    Principal admin;
    admin.via = Principal::Via::kAdmin;
    admin.scopes = {"*"};
    return admin;
  }
  // Read before the lookups: a change folded meanwhile moves it, so what is remembered
  // below is never newer than the generation it is filed under.
  const uint64_t generation = view.credentials_generation();
  if (cache != nullptr) {
    if (auto known = cache->Find(presented, generation)) return std::move(*known);
  }
  if (!token) return ApiError::Unauthenticated("the API key is not valid");
  auto found = view.FindApiKey(token->key_id);
  if (!found.ok()) return ApiErrorOfStatus(found.status());
  if (!found->has_value()) return ApiError::Unauthenticated("the API key is not valid");
  const projections::ApiKeyRow& key = **found;
  if (!commands::ApiKeySecretMatches(key.secret_sha256, token->secret)) {
    return ApiError::Unauthenticated("the API key is not valid");
  }
  if (key.revoked) return ApiError::Unauthenticated("the API key has been revoked");

  auto account = LoadAccountRow(view, key.account_id);
  if (!account.ok()) return account.error();
  if (!account->has_value()) return ApiError::Unauthenticated("the API key's account does not exist");
  const std::string status = DocString((*account)->document, "status");
  if (status != "active") {
    return ApiError::Unauthenticated("the API key's account '" + key.account_id + "' is " +
                                     (status.empty() ? std::string("not active") : status) +
                                     "; its keys are refused");
  }
  Principal principal;
  principal.via = Principal::Via::kApiKey;
  principal.key_id = key.key_id;
  principal.key_account_id = key.account_id;
  principal.key_account_is_reseller = DocFlag((*account)->document, "is_reseller");
  principal.scopes = key.scopes;
  if (cache != nullptr) cache->Remember(presented, generation, principal);
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
