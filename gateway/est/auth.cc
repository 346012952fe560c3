#include "gateway/est/auth.h"

#include <array>

#include "common/base64.h"

namespace dialtone::gateway::est {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// An error of the shared verification as EST answers it: without details.
ApiError WithoutDetails(ApiError e) {
  e.details.clear();
  return e;
}

}  // namespace

std::optional<std::string> PresentedToken(const Request& request) {
  auto header = request.headers.Get("authorization");
  if (!header) return std::nullopt;
  std::string_view value = Trim(*header);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = value.substr(0, space);
  const std::string_view credentials = Trim(value.substr(space + 1));
  if (EqualsIgnoreCase(scheme, "Bearer")) return std::string(credentials);
  if (!EqualsIgnoreCase(scheme, "Basic")) return std::nullopt;
  auto decoded = Base64Decode(credentials);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == decoded->size()) return std::nullopt;
  return "dtk_" + decoded->substr(0, colon) + "_" + decoded->substr(colon + 1);
}

Result<Principal, ApiError> Authenticate(const Request& request, const Authenticator& authenticator) {
  std::optional<std::string> token = PresentedToken(request);
  if (!token || token->empty()) {
    return ApiError::Unauthenticated(
        "credentials are required: Authorization: Basic base64(keyId:secret) or Bearer <key>");
  }
  auto principal = authenticator.Verify(*token);
  if (!principal.ok()) return WithoutDetails(principal.error());
  if (!principal->HasScope(kConfigScope)) {
    return ApiError::PermissionDenied("this API needs a key with the 'config' scope (or '*')");
  }
  return std::move(principal).value();
}

Result<std::string, ApiError> ResolveProject(std::string_view project_id, const Principal& principal,
                                             const projections::ConfigView& view) {
  const std::string not_found = "project '" + std::string(project_id) + "' not found";
  if (!principal.is_admin() && project_id == principal.key_account_id) return std::string(project_id);
  auto row = LoadAccountRow(view, project_id);
  if (!row.ok()) return WithoutDetails(row.error());
  if (!row->has_value() || !CanSeeAccount(principal, **row)) return ApiError::NotFound(not_found);
  return std::string(project_id);
}

}  // namespace dialtone::gateway::est
