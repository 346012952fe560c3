// The OpenAPI 3.1 document of the native API: the dialect's base (info, security, the
// error schema, this document's own path), the configuration routes generated from the
// model table (model::AllResources(): every kind's fields, types, enums, ranges,
// nullability, read-only and write-only fields, list filters, nesting), and the pieces
// every other /v1 route group describes itself with. Schemas are JSON Schema 2020-12;
// response schemas are closed (additionalProperties: false), so a field the server sends
// and the document does not name is a failed check, not a silent drift. Served at
// GET /v1/openapi.json (no auth) by the dialect (gateway/dialect.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/dialect.h"

namespace dialtone::gateway::v1 {

// The /v1 document before its route groups describe themselves.
nlohmann::json V1BaseDocument();

// What ConfigApi serves: whoami, accounts, API keys, and CRUD of every kind.
void DescribeConfigRoutes(RouteDocument& document);

// The component name of a kind's schema: "ring_group_member" -> "RingGroupMember".
std::string SchemaNameOf(std::string_view kind);

namespace openapi {

using Json = nlohmann::json;

// {"$ref": "#/components/schemas/<name>"}.
Json Ref(const std::string& name);
// {"application/json": {"schema": …}}.
Json JsonContent(Json schema);
// The responses of an operation: each success with its content (null: none), and each
// error status in the /v1 error shape.
Json Responses(std::vector<std::pair<int, Json>> successes, const std::vector<int>& errors);
Json Param(const std::string& name, const std::string& in, Json schema, bool required = false,
           const std::string& description = "");
// The parameters every account-scoped route takes (x-account-id, account_id).
Json AccountParams();
// `params` followed by `more`.
Json With(Json params, std::initializer_list<Json> more);
// A closed (by default) object schema.
Json ObjectOf(Json properties, std::vector<std::string> required, bool closed = true);
// {"data": [<item>], "next_cursor": string|null}.
Json ListSchema(const std::string& item);

inline const Json kString = {{"type", "string"}};
inline const Json kNullableString = {{"type", {"string", "null"}}};
inline const Json kNullableInt = {{"type", {"integer", "null"}}};
inline const std::vector<int> kReadErrors = {400, 401, 403, 404, 503};
inline const std::vector<int> kWriteErrors = {400, 401, 403, 404, 409, 412, 413, 415, 503};

}  // namespace openapi

}  // namespace dialtone::gateway::v1
