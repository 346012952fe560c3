#include "gateway/oauth2/token_routes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands/api_keys.h"
#include "common/base64.h"
#include "gateway/json_body.h"

namespace dialtone::gateway::oauth2 {

namespace {

using Json = nlohmann::json;

ApiError OAuthError(int status, std::string code, std::string description) {
  return ApiError::Of(status, std::move(code), std::move(description));
}

ApiError InvalidRequest(std::string description) { return OAuthError(400, "invalid_request", std::move(description)); }

ApiError InvalidClient(std::string description) {
  ApiError error = OAuthError(401, "invalid_client", std::move(description));
  error.challenge = "Basic realm=\"dialtone\"";
  return error;
}

// RFC 6749 §5.2: {"error", "error_description"}; the router's generic codes in lower case.
Response RenderOAuthError(const Request&, const ApiError& error) {
  std::string code = error.code;
  std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::tolower(c); });
  Response response = JsonResponse(error.status, Json{{"error", code}, {"error_description", error.message}});
  response.headers.Set("cache-control", "no-store");
  response.headers.Set("pragma", "no-cache");
  if (error.status == 401) {
    response.headers.Set("www-authenticate", error.challenge.empty() ? "Basic realm=\"dialtone\"" : error.challenge);
  }
  return response;
}

bool IsFormMediaType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type == "application/x-www-form-urlencoded";
}

struct Client {
  std::string id;
  std::string secret;
};

// The client of `Authorization: Basic` (RFC 6749 §2.3.1: each half form-encoded).
Result<std::optional<Client>, ApiError> BasicClient(const Request& request) {
  auto header = request.headers.Get("authorization");
  if (!header) return std::optional<Client>();
  std::string_view value = *header;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), "Basic")) {
    return InvalidClient("the client authenticates with HTTP Basic (key id and secret) or client_id/client_secret");
  }
  std::string_view credentials = value.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  const auto decoded = Base64Decode(credentials);
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return InvalidClient("the Basic credentials are not base64(client_id:client_secret)");
  const auto id = PercentDecode(std::string_view(*decoded).substr(0, colon), true);
  const auto secret = PercentDecode(std::string_view(*decoded).substr(colon + 1), true);
  if (!id || !secret) return InvalidClient("the Basic credentials are not form-encoded");
  return std::optional<Client>(Client{*id, *secret});
}

}  // namespace

DialectOptions OAuth2Dialect() {
  DialectOptions options;
  options.prefix = "/oauth2";
  options.error_shape = RenderOAuthError;
  Json paths = Json::object();
  paths["/oauth2/openapi.json"]["get"] = {
      {"operationId", "oauth2OpenApi"},
      {"security", Json::array()},
      {"responses", {{"200", {{"description", "this document"},
                              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};
  options.document = Json{
      {"openapi", "3.1.0"},
      {"info", {{"title", "dialtone OAuth2 token endpoint (RFC 6749 client credentials)"}, {"version", "1"}}},
      {"servers", Json::array({{{"url", "/"}}})},
      {"paths", paths},
      {"components",
       {{"schemas",
         {{"OAuthError",
           {{"type", "object"},
            {"properties", {{"error", {{"type", "string"}}}, {"error_description", {{"type", "string"}}}}},
            {"required", {"error", "error_description"}},
            {"additionalProperties", false}}}}},
        {"securitySchemes", {{"Basic", {{"type", "http"}, {"scheme", "basic"}}}}}}}};
  return options;
}

Status TokenRoutes::AddRoutes(Router& router) {
  return router.Add("POST", "/token", [this](Request request, Responder responder) {
    responder.Send(Token(request));
  });
}

void TokenRoutes::DescribeRoutes(RouteDocument& document) const {
  document.schemas["TokenRequest"] = {
      {"type", "object"},
      {"properties",
       {{"grant_type", {{"type", "string"}, {"enum", {"client_credentials"}}}},
        {"scope", {{"type", "string"}}},
        {"client_id", {{"type", "string"}}},
        {"client_secret", {{"type", "string"}}}}},
      {"required", {"grant_type"}}};
  document.schemas["Token"] = {{"type", "object"},
                               {"properties",
                                {{"access_token", {{"type", "string"}}},
                                 {"token_type", {{"type", "string"}, {"enum", {"bearer"}}}},
                                 {"expires_in", {{"type", "integer"}}},
                                 {"scope", {{"type", "string"}}}}},
                               {"required", {"access_token", "token_type", "expires_in", "scope"}},
                               {"additionalProperties", false}};
  const Json error = {{"description", "error"},
                      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/OAuthError"}}}}}}}};
  document.paths["/token"]["post"] = {
      {"operationId", "token"},
      {"security", Json::array({{{"Basic", Json::array()}}, Json::object()})},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/x-www-form-urlencoded", {{"schema", {{"$ref", "#/components/schemas/TokenRequest"}}}}}}}}},
      {"responses",
       {{"200", {{"description", "success"},
                 {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Token"}}}}}}}}},
        {"400", error},
        {"401", error}}}};
}

Response TokenRoutes::Token(const Request& request) const {
  auto fail = [&](const ApiError& error) { return RenderOAuthError(request, error); };
  auto content_type = request.headers.Get("content-type");
  if (!content_type || !IsFormMediaType(*content_type)) {
    return fail(InvalidRequest("the request must be application/x-www-form-urlencoded"));
  }
  auto form = ParseQueryString(request.body);
  if (!form) return fail(InvalidRequest("the form has malformed percent-encoding"));
  std::map<std::string, std::string> fields;
  for (auto& [name, value] : *form) {
    if (!fields.emplace(name, value).second) return fail(InvalidRequest("'" + name + "' is sent more than once"));
  }
  auto basic = BasicClient(request);
  if (!basic.ok()) return fail(basic.error());
  const bool in_form = fields.contains("client_id") || fields.contains("client_secret");
  if (basic->has_value() && in_form) {
    return fail(InvalidRequest("authenticate the client one way: Basic or client_id/client_secret, not both"));
  }
  Client client;
  if (basic->has_value()) {
    client = **basic;
  } else if (in_form) {
    client = Client{fields["client_id"], fields["client_secret"]};
  } else {
    return fail(InvalidClient("client authentication is required (Basic key_id:secret)"));
  }
  auto grant = fields.find("grant_type");
  if (grant == fields.end()) return fail(InvalidRequest("grant_type is required"));
  if (grant->second != "client_credentials") {
    return fail(OAuthError(400, "unsupported_grant_type",
                           "grant_type '" + grant->second + "' is not supported; use client_credentials"));
  }
  if (client.id.empty() || client.secret.empty()) return fail(InvalidClient("the client id and secret are required"));
  auto principal = authenticator_.VerifyAccountKey(client.id, client.secret);
  if (!principal.ok()) {
    if (principal.error().status == 401) return fail(InvalidClient(principal.error().message));
    return fail(OAuthError(principal.error().status, "server_error", principal.error().message));
  }
  std::vector<std::string> scopes = principal->scopes;
  if (auto wanted = fields.find("scope"); wanted != fields.end() && !wanted->second.empty()) {
    std::vector<std::string> asked;
    std::string_view rest = wanted->second;
    while (!rest.empty()) {
      const size_t space = rest.find(' ');
      if (space != 0) asked.emplace_back(rest.substr(0, space));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    for (const std::string& scope : asked) {
      if (!commands::IsValidApiKeyScope(scope) || !principal->HasScope(scope)) {
        return fail(OAuthError(400, "invalid_scope", "the key does not grant the scope '" + scope + "'"));
      }
    }
    if (!asked.empty()) scopes = std::move(asked);
  }
  if (authenticator_.tokens() == nullptr) return fail(OAuthError(503, "temporarily_unavailable", "tokens are not issued here"));
  TokenClaims claims;
  claims.key_id = principal->key_id;
  claims.account_id = principal->key_account_id;
  claims.scopes = scopes;
  claims.issued_s = authenticator_.NowSeconds();
  claims.expires_s = claims.issued_s + options_.lifetime_s;
  auto token = authenticator_.tokens()->Mint(claims);
  if (!token.ok()) return fail(OAuthError(500, "server_error", token.status().message()));
  std::string scope;
  for (const std::string& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  Response response = JsonResponse(
      200, Json{{"access_token", *token}, {"token_type", "bearer"}, {"expires_in", options_.lifetime_s}, {"scope", scope}});
  response.headers.Set("cache-control", "no-store");
  response.headers.Set("pragma", "no-cache");
  return response;
}

}  // namespace dialtone::gateway::oauth2
