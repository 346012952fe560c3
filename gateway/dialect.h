// The shape every API dialect has (/v1, /est/v1, and the coming /sip2sip and /api):
// a path prefix it owns, the shape its errors are rendered in, its OpenAPI document, and
// the groups of routes it serves. A group adds its routes to the dialect's router and
// describes them in the dialect's document, so what is served and what is documented are
// added in one place. Mounting a dialect gives it its own router under the prefix: the
// router's and the server's generic errors (404, 405 + Allow, 413, …) for a path under it
// come in the dialect's shape, and GET <prefix>/openapi.json serves the document (no
// credentials).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "gateway/api_error.h"
#include "gateway/router.h"

namespace dialtone::gateway {

// What a group adds to the dialect's OpenAPI document: path items by path relative to the
// dialect's prefix ("/calls" for /v1/calls), and component schemas by name.
struct RouteDocument {
  nlohmann::json paths = nlohmann::json::object();
  nlohmann::json schemas = nlohmann::json::object();
};

class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  // Adds the group's routes to the dialect's router; patterns are relative to the prefix
  // ("/calls"). Errors: Router::Add's.
  virtual Status AddRoutes(Router& router) = 0;
  // Describes those routes (and the schemas they use).
  virtual void DescribeRoutes(RouteDocument& document) const = 0;
};

struct DialectOptions {
  std::string prefix;        // literal segments, e.g. "/v1", "/est/v1"
  ErrorShape error_shape;    // how this dialect renders an ApiError
  // The document before the groups describe their routes: openapi, info, servers,
  // security, shared component schemas (the error), and any path it documents itself
  // (its paths are given in full, e.g. "/v1/openapi.json").
  nlohmann::json document = nlohmann::json::object();
};

class Dialect {
 public:
  explicit Dialect(DialectOptions options);

  // `group` must outlive every request of the mounted router.
  void Add(RouteGroup& group);

  const std::string& prefix() const { return options_.prefix; }
  const ErrorShape& error_shape() const { return options_.error_shape; }
  // The base document with every group's paths (under the prefix) and schemas.
  nlohmann::json OpenApiDocument() const;

  // Builds the dialect's router (generic errors in its shape) with every group's routes
  // and GET /openapi.json, and mounts it at the prefix on `root`. Errors: Router::Add's
  // and Router::Mount's.
  Status Mount(Router& root) const;

 private:
  DialectOptions options_;
  std::vector<RouteGroup*> groups_;
};

}  // namespace dialtone::gateway
