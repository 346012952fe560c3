// The OpenAPI 3.1 document of the trunking dialect (/est/v1, seed 002): every path the
// EstApi routes, with closed response schemas (additionalProperties: false) in the EST
// shapes (camelCase, booleans, +E.164, RFC 3339 times, list envelopes, the EST error).
// Served at GET /est/v1/openapi.json (no auth).
#pragma once

#include <nlohmann/json.hpp>

namespace dialtone::gateway::est {

nlohmann::json EstOpenApiDocument();

}  // namespace dialtone::gateway::est
