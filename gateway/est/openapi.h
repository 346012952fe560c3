// The OpenAPI 3.1 document of the trunking dialect (/est/v1, seed 002): every path the
// EstApi routes (EstRoutes()), with closed response schemas (additionalProperties: false)
// in the EST shapes (camelCase, booleans, +E.164, RFC 3339 times, list envelopes, the EST
// error). Served at GET /est/v1/openapi.json (no auth) by the dialect (gateway/dialect.h).
#pragma once

#include <nlohmann/json.hpp>

#include "gateway/dialect.h"

namespace dialtone::gateway::est {

// The document before the routes describe themselves (info, security, its own path).
nlohmann::json EstBaseDocument();
// Every route of EstRoutes() below /est/v1, and the schemas they name.
void DescribeEstRoutes(RouteDocument& document);

}  // namespace dialtone::gateway::est
