#include "gateway/est/est_dialect.h"

#include "gateway/est/errors.h"
#include "gateway/est/est_api.h"
#include "gateway/est/openapi.h"

namespace dialtone::gateway::est {

DialectOptions EstDialect() {
  DialectOptions options;
  options.prefix = std::string(kEstPrefix);
  options.error_shape = RenderEstShape;
  options.document = EstBaseDocument();
  return options;
}

}  // namespace dialtone::gateway::est
