// The trunking dialect's shape: /est/v1, the EST error shape, its OpenAPI base document.
// Its one route group is EstApi (est_api.h).
#pragma once

#include "gateway/dialect.h"

namespace dialtone::gateway::est {

DialectOptions EstDialect();

}  // namespace dialtone::gateway::est
