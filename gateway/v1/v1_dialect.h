// The native dialect's shape: /v1, the /v1 error shape, its OpenAPI base document. Its
// route groups: ConfigApi (config_api.h), EventsRoutes, CallsRoutes, MediaRoutes,
// WebhookRoutes.
#pragma once

#include "gateway/dialect.h"

namespace dialtone::gateway::v1 {

inline constexpr std::string_view kV1Prefix = "/v1";

DialectOptions V1Dialect();

}  // namespace dialtone::gateway::v1
