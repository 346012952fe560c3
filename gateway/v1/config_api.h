// The configuration routes of the native API (/v1), over the account actors (writes) and
// the config view (reads). Every route answers errors in the /v1 shape (errors.h) and
// authenticates as auth.h describes; every route but whoami needs the `config` scope
// (or `*`).
//
//   GET    /v1/whoami                          {accountId, scopes, via}; no scope needed
//   GET    /v1/account                         the acting account
//   GET    /v1/accounts                        children of the caller (admin: platform-direct,
//                                              or of ?parent_id=); filters status, is_reseller
//   POST   /v1/accounts                        admin (any parent_id) or a reseller key (the
//                                              child's parent is the reseller)
//   GET|PATCH|PUT /v1/accounts/{id}            the account itself, its reseller, the admin;
//                                              status and is_reseller changes: the reseller
//                                              or the admin (is_reseller: admin only)
//   DELETE /v1/accounts/{id}                   close: the reseller or the admin
//   POST   /v1/accounts/{id}/api-keys          mint {scopes?, label?}: the reseller or the
//                                              admin; the key is in the answer only
//   GET    /v1/accounts/{id}/api-keys[/{keyId}] list / one (no secrets)
//   DELETE /v1/accounts/{id}/api-keys/{keyId}  revoke: the account, its reseller, the admin
//
// and, generated from model::AllResources() for every kind but "account":
//   GET /v1/<collection>                 ?limit=1..500 (50) &cursor= &<list filter>=
//                                        -> {"data": [...], "next_cursor": "…"|null}
//   POST /v1/<collection>                201, Location, ETag; Idempotency-Key honoured
//   GET /v1/<collection>/{id}            ETag "<revision>"; If-None-Match -> 304
//   PATCH|PUT /v1/<collection>/{id}      partial / whole; If-Match -> 412 when stale
//   DELETE /v1/<collection>/{id}         204; 409 naming the referrers
// with nested kinds under their parent: /v1/<parent collection>/{parent_id}/<collection>,
// and POST /v1/flows/{id}/publish.
//
// Writes go to the account actor with AccountService::Execute; the answer is sent once the
// config view has folded the write's position (ConfigView::NotifyAt: read-your-writes),
// 503 UNAVAILABLE if the view fails first. No thread ever waits for the view.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/admin_auth.h"
#include "gateway/dialect.h"
#include "gateway/router.h"
#include "gateway/auth.h"
#include "gateway/v1/errors.h"
#include "projections/config_view.h"

namespace dialtone::gateway::v1 {

struct ConfigApiOptions {
  size_t default_page_size = 50;
  size_t max_page_size = 500;
  size_t worker_threads = 2;  // threads answering failures and the routes of AddAccountRoute
  // The event log's head position. A refusal the account actor bases on a write the view
  // has not folded yet (adding a number the DNC list already holds) waits for the view to
  // reach it before answering from the view. Empty: no wait.
  std::function<uint64_t()> log_head;
};

// The /v1 dialect's configuration route group; the other /v1 groups (calls, media,
// webhooks) serve their routes behind its authentication with AddAccountRoute.
class ConfigApi final : public RouteGroup {
 public:
  // `accounts`, `view` and `authenticator` must outlive this object; this object must outlive every
  // request its routes receive (stop the HTTP server and the actor runtime first).
  ConfigApi(commands::AccountService& accounts, const projections::ConfigView& view,
            const Authenticator& authenticator, ConfigApiOptions options = {});
  ~ConfigApi() override;
  ConfigApi(const ConfigApi&) = delete;
  ConfigApi& operator=(const ConfigApi&) = delete;

  // Registers every route above on the /v1 dialect's router, patterns relative to /v1
  // (errors: Router::Add's).
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;

  // A route another module serves behind this API's authentication, scopes and acting
  // account resolution: `handler` runs on a worker thread (it may block), and its error
  // is answered in the /v1 shape.
  using AccountHandler = std::function<Result<Response, ApiError>(const Request& request, const Principal& principal,
                                                                   const std::string& account_id)>;
  Status AddAccountRoute(Router& router, std::string_view method, std::string_view pattern,
                         std::vector<std::string> scopes, AccountHandler handler);
  // Creates of `kind` whose body the server streamed (HttpServerOptions::body_streamer
  // decided so from the request's head, e.g. a multipart media upload) are answered by
  // `handler` on a worker, after this API's authentication and acting account. Any other
  // create of the kind is the generated JSON create. Call before the routes serve.
  void AddStreamedCreate(std::string kind, AccountHandler handler);
  // Finishes the answers already handed to the workers, then stops them. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::gateway::v1
