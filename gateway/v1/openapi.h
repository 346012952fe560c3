// The OpenAPI 3.1 document of the native API, generated from the model table
// (model::AllResources(): every kind's fields, types, enums, ranges, nullability,
// read-only and write-only fields, list filters, nesting) plus the routes that are not
// generated CRUD. Schemas are JSON Schema 2020-12; response schemas are closed
// (additionalProperties: false), so a field the server sends and the document does not
// name is a failed check, not a silent drift. Served at GET /v1/openapi.json (no auth).
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "gateway/router.h"

namespace dialtone::gateway::v1 {

nlohmann::json V1OpenApiDocument();

// GET /v1/openapi.json.
Status AddOpenApiRoute(Router& router);

// The component name of a kind's schema: "ring_group_member" -> "RingGroupMember".
std::string SchemaNameOf(std::string_view kind);

}  // namespace dialtone::gateway::v1
