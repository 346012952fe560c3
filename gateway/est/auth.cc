#include "gateway/est/auth.h"

#include <array>

namespace dialtone::gateway::est {

namespace {

std::optional<std::string> DecodeBase64(std::string_view in) {
  static const std::array<int, 256> kTable = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return t;
  }();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

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
  auto decoded = DecodeBase64(credentials);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == decoded->size()) return std::nullopt;
  return "dtk_" + decoded->substr(0, colon) + "_" + decoded->substr(colon + 1);
}

Result<Principal, ApiError> Authenticate(const Request& request, const AdminKey& admin_key,
                                             const projections::ConfigView& view,
                                             CredentialCache* cache) {
  std::optional<std::string> token = PresentedToken(request);
  if (!token || token->empty()) {
    return ApiError::Unauthenticated(
        "credentials are required: Authorization: Basic base64(keyId:secret) or Bearer <key>");
  }
  auto principal = VerifyCredential(*token, admin_key, view, cache);
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
