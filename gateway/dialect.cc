#include "gateway/dialect.h"

#include <cassert>
#include <memory>
#include <utility>

namespace dialtone::gateway {

Dialect::Dialect(DialectOptions options) : options_(std::move(options)) {
  assert(options_.error_shape && "a dialect needs an error shape");
}

void Dialect::Add(RouteGroup& group) { groups_.push_back(&group); }

nlohmann::json Dialect::OpenApiDocument() const {
  nlohmann::json document = options_.document;
  nlohmann::json& paths = document["paths"];
  if (paths.is_null()) paths = nlohmann::json::object();
  nlohmann::json& schemas = document["components"]["schemas"];
  if (schemas.is_null()) schemas = nlohmann::json::object();
  for (const RouteGroup* group : groups_) {
    RouteDocument described;
    group->DescribeRoutes(described);
    for (auto& [path, item] : described.paths.items()) {
      nlohmann::json& merged = paths[options_.prefix + path];
      for (auto& [method, operation] : item.items()) {
        assert(!merged.contains(method) && "two groups describe the same operation");
        merged[method] = std::move(operation);
      }
    }
    for (auto& [name, schema] : described.schemas.items()) schemas[name] = std::move(schema);
  }
  return document;
}

Status Dialect::Mount(Router& root) const {
  auto router = std::make_shared<Router>();
  router->SetErrorRenderer(RendererOf(options_.error_shape));
  for (RouteGroup* group : groups_) {
    if (Status s = group->AddRoutes(*router); !s.ok()) return s;
  }
  const std::string document = OpenApiDocument().dump();
  if (Status s = router->Add("GET", "/openapi.json",
                             [document](Request, Responder responder) { responder.Send(Response::Json(200, document)); });
      !s.ok()) {
    return s;
  }
  return root.Mount(options_.prefix, std::move(router));
}

}  // namespace dialtone::gateway
