#include "gateway/v1/v1_dialect.h"

#include "gateway/v1/errors.h"
#include "gateway/v1/openapi.h"

namespace dialtone::gateway::v1 {

DialectOptions V1Dialect() {
  DialectOptions options;
  options.prefix = std::string(kV1Prefix);
  options.error_shape = RenderV1Shape;
  options.document = V1BaseDocument();
  return options;
}

}  // namespace dialtone::gateway::v1
