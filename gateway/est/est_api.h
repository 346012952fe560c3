// The Sinch-compatible trunking dialect (seed 002), mounted at /est/v1:
//   /projects/{projectId}/trunks[/{id}]                         GET list(domain) POST | GET PUT DELETE
//   /projects/{projectId}/trunks/{id}/endpoints[/{endpointId}]  GET POST | GET PUT DELETE
//   /projects/{projectId}/trunks/{id}/accessControlLists        GET POST(add) PUT(replace); /{aclId} DELETE
//   /projects/{projectId}/trunks/{id}/credentialLists           GET POST(add) PUT(replace); /{clId} DELETE
//   /projects/{projectId}/accessControlLists[/{id}]             GET POST | GET PUT DELETE; /{id}/trunks GET
//   /projects/{projectId}/accessControlLists/{id}/ipRanges      GET POST; /{rangeId} PUT DELETE
//   /projects/{projectId}/credentialLists[/{id}]                GET POST | GET PUT DELETE; /{id}/trunks GET
//   /projects/{projectId}/credentialLists/{id}/credentials/{username}  PUT DELETE
//   /projects/{projectId}/callBlockingRules[/{id}]              GET POST | GET PUT DELETE
//   /projects/{projectId}/countryPermissions[/{isoCode}]        GET PUT(bulk) | GET PUT
//   /projects/{projectId}/phoneNumbers[/{e164}]                 GET | GET
//   /projects/{projectId}/calls                                 GET (find)
// Resources are the model kinds (model/resources.cc) rendered camelCase: an EST trunk is
// the sip_trunk /v1 lists. Every write is a kResource command to the account actor, and
// the answer waits for the config view to fold it (read-your-writes). Handlers run on a
// small worker pool, never on an HTTP I/O thread. Errors: errors.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/admin_auth.h"
#include "gateway/auth.h"
#include "gateway/dialect.h"
#include "gateway/router.h"
#include "projections/calls/calls_view.h"
#include "projections/config_view.h"

namespace dialtone::gateway::est {

inline constexpr std::string_view kEstPrefix = "/est/v1";

// One route of the dialect: what EstApi serves and what its OpenAPI document describes.
struct EstRouteInfo {
  std::string method;        // "GET", "POST", …
  std::string path;          // below /est/v1/projects/{projectId}
  std::string operation_id;
  int success = 200;         // the status of a successful answer
  std::string response;      // the schema of that answer ("" = no body)
  std::string request;       // the schema of the body ("" = none, "any" = a body of the route's own shape)
};
const std::vector<EstRouteInfo>& EstRoutes();

struct EstApiOptions {
  std::chrono::milliseconds view_wait{5000};  // read-your-writes bound per write
  size_t worker_threads = 2;
  // The clock of the default `/calls` window (epoch seconds); empty = the system clock.
  std::function<int64_t()> now_s;
};

// The route group of the EST dialect (est_dialect.h).
class EstApi final : public RouteGroup {
 public:
  // Every reference must outlive this object; this object must outlive every request its
  // routes receive (stop the HTTP server first). `calls` may be null: /calls then answers
  // 503.
  EstApi(commands::AccountService& accounts, const projections::ConfigView& view,
         const projections::calls::CallsView* calls, const Authenticator& authenticator, EstApiOptions options = {});
  ~EstApi() override;
  EstApi(const EstApi&) = delete;
  EstApi& operator=(const EstApi&) = delete;

  // Every route of EstRoutes(), patterns relative to /est/v1 (errors: Router::Add's).
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;
  // Finishes the requests already handed to the workers, then stops them. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::gateway::est
