#include "app/serve.h"

#include <unistd.h>

#include <filesystem>

#include "actors/runtime.h"
#include "app/admin_key_file.h"
#include "app/ops_routes.h"
#include "actors/secret_box.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "gateway/est/est_api.h"
#include "gateway/v1/calls_routes.h"
#include "gateway/v1/config_api.h"
#include "gateway/v1/errors.h"
#include "gateway/v1/events_routes.h"
#include "gateway/v1/webhook_routes.h"
#include "projections/calls/calls_view.h"
#include "projections/config_view.h"
#include "store/rocksdb_log.h"
#include "webhooks/service.h"

namespace dialtone::app {

namespace {

// Creates the data folder if needed and checks that it is a writable directory.
// `*created` tells whether this call created it.
Status PrepareDataFolder(const std::string& data_dir, bool* created) {
  namespace fs = std::filesystem;
  std::error_code ec;
  *created = !fs::exists(data_dir, ec);
  fs::create_directories(data_dir, ec);
  if (ec) return Status::IOError("cannot create data folder '" + data_dir + "': " + ec.message());
  if (!fs::is_directory(data_dir, ec)) {
    return Status::IOError("data folder '" + data_dir + "' is not a directory");
  }
  if (::access(data_dir.c_str(), W_OK | X_OK) != 0) {
    return Status::IOError("data folder '" + data_dir + "' is not writable");
  }
  return Status::Ok();
}

// Removes a data folder this start created, when the start fails: a failed start leaves
// the file system as it found it.
class CreatedFolderGuard {
 public:
  CreatedFolderGuard(std::string path, bool created) : path_(std::move(path)), armed_(created) {}
  ~CreatedFolderGuard() {
    if (!armed_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  void Keep() { armed_ = false; }

 private:
  std::string path_;
  bool armed_;
};

}  // namespace

Status Serve(const ServeConfig& config, const ServeEnvironment& environment, const StopSignal& stop) {
  bool created_data_folder = false;
  if (Status s = PrepareDataFolder(config.data_dir, &created_data_folder); !s.ok()) return s;
  CreatedFolderGuard data_folder_guard(config.data_dir, created_data_folder);

  store::RocksDbLogOptions log_options;
  log_options.path = (std::filesystem::path(config.data_dir) / "log").string();
  log_options.durability = config.durability;
  auto opened = store::OpenRocksDbLog(log_options);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<store::EventLog> log = std::move(*opened);

  auto admin = LoadOrCreateAdminKey(config.data_dir, environment.admin_key);
  if (!admin.ok()) {
    log->Close();
    return admin.status();
  }

  // The node key sealing write-only secrets of resources (created on first start).
  const std::string secret_key_path = (std::filesystem::path(config.data_dir) / "secret.key").string();
  auto secret_key = actors::LoadOrCreateSecretKeyFile(secret_key_path);
  if (!secret_key.ok()) {
    DiscardNewAdminKey(*admin);
    log->Close();
    return Status(secret_key.status().code(),
                  "cannot load the node secret key " + secret_key_path + ": " + secret_key.status().message());
  }

  // The configuration query view, following the log from its checkpoint.
  projections::ConfigViewOptions view_options;
  view_options.path = (std::filesystem::path(config.data_dir) / "views").string();
  auto opened_view = projections::ConfigView::Open(view_options, *log);
  if (!opened_view.ok()) {
    DiscardNewAdminKey(*admin);
    log->Close();
    return Status(opened_view.status().code(),
                  "cannot open the config view " + view_options.path + ": " + opened_view.status().message());
  }
  std::unique_ptr<projections::ConfigView> view = std::move(*opened_view);

  actors::RuntimeOptions runtime_options;
  runtime_options.scheduler_threads = config.scheduler_threads;
  runtime_options.secret_key = *secret_key;
  auto started = actors::Runtime::Start(*log, runtime_options);
  if (!started.ok()) {
    view->Stop();
    DiscardNewAdminKey(*admin);
    log->Close();
    return Status(started.status().code(), "cannot start the actor runtime: " + started.status().message());
  }
  std::unique_ptr<actors::Runtime> runtime = std::move(*started);
  gateway::v1::ConfigApi config_api(runtime->accounts(), *view, admin->key);
  const auto abort_startup = [&](Status status) {
    runtime->Shutdown();
    config_api.Stop();
    view->Stop();
    DiscardNewAdminKey(*admin);
    log->Close();
    return status;
  };

  auto http_metrics = std::make_shared<gateway::HttpMetrics>();
  gateway::Router router;
  router.SetErrorRenderer(gateway::v1::RenderV1Error);
  OpsSources ops;
  ops.log = log.get();
  ops.actors_alive = [runtime = runtime.get()] { return runtime->ActorsAlive(); };
  ops.http_metrics = http_metrics;
  if (Status s = AddOpsRoutes(router, std::move(ops)); !s.ok()) return abort_startup(s);
  if (Status s = gateway::v1::AddEventsRoutes(router, *log, admin->key); !s.ok()) return abort_startup(s);
  if (Status s = config_api.AddRoutes(router); !s.ok()) return abort_startup(s);

  // --- EST trunking dialect (gateway/est): /est/v1 over the same model, and the in-memory
  // call-record view it reads /calls from (rebuilt from the log here).
  auto opened_calls = projections::calls::CallsView::Open(*log);
  if (!opened_calls.ok()) return abort_startup(opened_calls.status());
  std::unique_ptr<projections::calls::CallsView> calls_view = std::move(*opened_calls);
  gateway::est::EstApi est_api(runtime->accounts(), *view, calls_view.get(), admin->key);
  if (Status s = est_api.Mount(router); !s.ok()) {
    calls_view->Stop();
    return abort_startup(s);
  }
  const auto stop_est = [&] {
    est_api.Stop();
    calls_view->Stop();
  };
  // --- end EST

  // --- webhooks: signed deliveries of call events to every subscribed webhook, each
  // attempt recorded in the log; POST /v1/webhooks/test and GET /v1/webhooks/{id}/deliveries.
  webhooks::WebhookServiceOptions webhook_options;
  webhook_options.secret_key = *secret_key;
  auto started_webhooks = webhooks::WebhookService::Start(*log, std::move(webhook_options));
  if (!started_webhooks.ok()) {
    stop_est();
    return abort_startup(started_webhooks.status());
  }
  std::unique_ptr<webhooks::WebhookService> webhook_service = std::move(*started_webhooks);
  if (Status s = gateway::v1::AddWebhookRoutes(router, config_api, *view, *webhook_service); !s.ok()) {
    webhook_service->Stop();
    stop_est();
    return abort_startup(s);
  }
  if (Status s = gateway::v1::AddCallsRoutes(router, config_api, *calls_view); !s.ok()) {
    webhook_service->Stop();
    stop_est();
    return abort_startup(s);
  }

  gateway::HttpServerOptions http_options;
  http_options.host = config.http_host;
  http_options.port = config.http_port;
  http_options.io_threads = config.http_threads;
  http_options.metrics = http_metrics;
  http_options.error_renderer = gateway::v1::RenderV1Error;
  auto server = gateway::HttpServer::Start(std::move(http_options), router.AsHandler());
  if (!server.ok()) {
    webhook_service->Stop();
    stop_est();  // EST
    return abort_startup(server.status());
  }
  data_folder_guard.Keep();

  if (admin->new_secret) {
    environment.announce("admin key: " + *admin->new_secret +
                         " (shown only now; only its SHA-256 is kept in " + admin->hash_file + ")");
  }
  environment.announce("listening on http://" + (*server)->address());

  stop.Wait();

  (*server)->Stop();     // no new requests; in-flight ones finish
  runtime->Shutdown();   // in-flight commands finish their appends
  config_api.Stop();     // answers handed to the workers finish
  webhook_service->Stop();  // in-flight attempts finish; unfinished deliveries resume next start
  stop_est();            // EST: its workers finish, the call view stops following
  view->Stop();
  Status closed = log->Close();
  if (!closed.ok()) return Status(closed.code(), "closing the event log failed: " + closed.message());
  return Status::Ok();
}

}  // namespace dialtone::app
