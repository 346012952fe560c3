#include "app/serve.h"

#include <unistd.h>

#include <cassert>
#include <chrono>
#include <filesystem>
#include <functional>
#include <vector>

#include "actors/runtime.h"
#include "app/admin_key_file.h"
#include "app/media_gc.h"
#include "app/ops_routes.h"
#include "app/token_key.h"
#include "domain/secret_box.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "gateway/dialect.h"
#include "gateway/est/est_api.h"
#include "gateway/est/est_dialect.h"
#include "gateway/oauth2/token_routes.h"
#include "gateway/v1/calls_routes.h"
#include "gateway/v1/config_api.h"
#include "gateway/v1/errors.h"
#include "gateway/v1/events_routes.h"
#include "gateway/v1/media_routes.h"
#include "gateway/v1/v1_dialect.h"
#include "gateway/v1/webhook_routes.h"
#include "projections/calls/calls_view.h"
#include "projections/config_view.h"
#include "media/media_store.h"
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

// What a start brought up, stopped newest first: when a later step of the start fails,
// and at shutdown.
class Teardown {
 public:
  Teardown() = default;
  Teardown(const Teardown&) = delete;
  Teardown& operator=(const Teardown&) = delete;
  // Run() must have emptied it: the steps refer to objects declared after it.
  ~Teardown() { assert(steps_.empty() && "a start failed without running its teardown"); }
  void Add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  // Runs every step and returns `status`: a start that fails returns through this.
  Status Fail(Status status) {
    Run();
    return status;
  }
  void Run() {
    while (!steps_.empty()) {
      std::function<void()> step = std::move(steps_.back());
      steps_.pop_back();
      step();
    }
  }

 private:
  std::vector<std::function<void()>> steps_;
};

}  // namespace

Status Serve(const ServeConfig& config, const ServeEnvironment& environment, const StopSignal& stop) {
  bool created_data_folder = false;
  if (Status s = PrepareDataFolder(config.data_dir, &created_data_folder); !s.ok()) return s;
  CreatedFolderGuard data_folder_guard(config.data_dir, created_data_folder);
  const std::filesystem::path data(config.data_dir);

  store::RocksDbLogOptions log_options;
  log_options.path = (data / "log").string();
  log_options.durability = config.durability;
  auto opened = store::OpenRocksDbLog(log_options);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<store::EventLog> log = std::move(*opened);
  bool log_closed = false;
  Teardown teardown;  // runs before `log` is destroyed
  teardown.Add([&] {
    if (!log_closed) log->Close();
  });

  auto admin = LoadOrCreateAdminKey(config.data_dir, environment.admin_key);
  if (!admin.ok()) return teardown.Fail(admin.status());
  bool started = false;
  teardown.Add([&] {
    if (!started) DiscardNewAdminKey(*admin);  // a failed start leaves no unseen key behind
  });

  // The node key sealing write-only secrets of resources (created on first start).
  const std::string secret_key_path = (data / "secret.key").string();
  auto secret_key = domain::LoadOrCreateSecretKeyFile(secret_key_path);
  if (!secret_key.ok()) {
    return teardown.Fail(Status(secret_key.status().code(), "cannot load the node secret key " + secret_key_path +
                                                                ": " + secret_key.status().message()));
  }

  // The configuration query view, following the log from its checkpoint.
  projections::ConfigViewOptions view_options;
  view_options.path = (data / "views").string();
  auto opened_view = projections::ConfigView::Open(view_options, *log);
  if (!opened_view.ok()) {
    return teardown.Fail(Status(opened_view.status().code(), "cannot open the config view " + view_options.path +
                                                                 ": " + opened_view.status().message()));
  }
  std::unique_ptr<projections::ConfigView> view = std::move(*opened_view);
  teardown.Add([&] { view->Stop(); });

  // The in-memory call-record view (EST /calls, /v1/calls), folded from the log here.
  auto opened_calls = projections::calls::CallsView::Open(*log);
  if (!opened_calls.ok()) return teardown.Fail(opened_calls.status());
  std::unique_ptr<projections::calls::CallsView> calls_view = std::move(*opened_calls);
  teardown.Add([&] { calls_view->Stop(); });

  // Signed webhook deliveries of call events, every attempt recorded in the log.
  webhooks::WebhookServiceOptions webhook_options;
  webhook_options.secret_key = *secret_key;
  auto started_webhooks = webhooks::WebhookService::Start(*log, std::move(webhook_options));
  if (!started_webhooks.ok()) return teardown.Fail(started_webhooks.status());
  std::unique_ptr<webhooks::WebhookService> webhook_service = std::move(*started_webhooks);
  // In-flight attempts finish; unfinished deliveries resume at the next start.
  teardown.Add([&] { webhook_service->Stop(); });

  // Uploaded audio, content-addressed under <data>/media.
  auto opened_media = media::MediaStore::Open(data / "media");
  if (!opened_media.ok()) return teardown.Fail(opened_media.status());
  std::unique_ptr<media::MediaStore> media_store = std::move(*opened_media);
  (void)media_store->CleanTemporaryFiles();  // uploads a crash left half written
  // Objects no media file names any more: once the view shows the whole log, and before
  // anything can upload. A failure only skips the collection.
  if (view->WaitForPosition(log->HeadPosition(), std::chrono::seconds(60))) {
    auto removed = RemoveUnreferencedMedia(*view, *media_store);
    if (!removed.ok()) {
      environment.announce("media: garbage collection skipped: " + removed.status().ToString());
    } else if (*removed > 0) {
      environment.announce("media: removed " + std::to_string(*removed) + " unreferenced object(s)");
    }
  } else {
    environment.announce("media: garbage collection skipped: the config view did not reach the log head");
  }

  actors::RuntimeOptions runtime_options;
  runtime_options.scheduler_threads = config.scheduler_threads;
  runtime_options.secret_key = *secret_key;
  auto started_runtime = actors::Runtime::Start(*log, runtime_options);
  if (!started_runtime.ok()) {
    return teardown.Fail(Status(started_runtime.status().code(),
                                "cannot start the actor runtime: " + started_runtime.status().message()));
  }
  std::unique_ptr<actors::Runtime> runtime = std::move(*started_runtime);
  teardown.Add([&] { runtime->Shutdown(); });  // in-flight commands finish their appends

  // Who a request is, for every dialect: the admin key, account keys, and the OAuth2 access
  // tokens signed with the deployment's token key (made in the log on the first token).
  gateway::AccessTokens tokens([log = log.get(), node_key = *secret_key](bool create) {
    return LoadOrCreateTokenKey(*log, node_key, create);
  });
  gateway::AuthenticatorOptions auth_options;
  auth_options.admin_key = admin->key;
  auth_options.tokens = &tokens;
  gateway::Authenticator authenticator(*view, std::move(auth_options));

  // The dialects. Their workers finish the answers they were handed when stopped.
  gateway::v1::ConfigApiOptions config_api_options;
  config_api_options.log_head = [log = log.get()] { return log->HeadPosition(); };
  gateway::v1::ConfigApi config_api(runtime->accounts(), *view, authenticator, std::move(config_api_options));
  teardown.Add([&] { config_api.Stop(); });
  gateway::est::EstApi est_api(runtime->accounts(), *view, calls_view.get(), authenticator);
  teardown.Add([&] { est_api.Stop(); });
  gateway::v1::MediaRoutes media_routes(config_api, runtime->accounts(), *view, *media_store, authenticator);
  gateway::v1::EventsRoutes events_routes(*log, admin->key);
  gateway::v1::WebhookRoutes webhook_routes(config_api, *view, *webhook_service);
  gateway::v1::CallsRoutes calls_routes(config_api, *calls_view);
  gateway::Dialect v1(gateway::v1::V1Dialect());
  for (gateway::RouteGroup* group : std::initializer_list<gateway::RouteGroup*>{
           &events_routes, &config_api, &webhook_routes, &calls_routes, &media_routes}) {
    v1.Add(*group);
  }
  gateway::Dialect est(gateway::est::EstDialect());
  est.Add(est_api);
  gateway::oauth2::TokenRoutes token_routes(authenticator);
  gateway::Dialect oauth2(gateway::oauth2::OAuth2Dialect());
  oauth2.Add(token_routes);

  auto http_metrics = std::make_shared<gateway::HttpMetrics>();
  gateway::Router router;
  router.SetErrorRenderer(gateway::v1::RenderV1Error);
  OpsSources ops;
  ops.log = log.get();
  ops.actors_alive = [runtime = runtime.get()] { return runtime->ActorsAlive(); };
  ops.http_metrics = http_metrics;
  for (Status s : {AddOpsRoutes(router, std::move(ops)), v1.Mount(router), est.Mount(router), oauth2.Mount(router)}) {
    if (!s.ok()) return teardown.Fail(s);
  }

  gateway::HttpServerOptions http_options;
  http_options.host = config.http_host;
  http_options.port = config.http_port;
  http_options.io_threads = config.http_threads;
  http_options.metrics = http_metrics;
  http_options.error_renderer = router.PathErrorRenderer();  // each dialect's errors in its shape
  http_options.body_streamer = media_routes.Streamer();  // uploads stream to disk
  auto server = gateway::HttpServer::Start(std::move(http_options), router.AsHandler());
  if (!server.ok()) return teardown.Fail(server.status());
  teardown.Add([&] { (*server)->Stop(); });  // first at shutdown: no new requests, in-flight ones finish
  started = true;
  data_folder_guard.Keep();

  if (admin->new_secret) {
    environment.announce("admin key: " + *admin->new_secret +
                         " (shown only now; only its SHA-256 is kept in " + admin->hash_file + ")");
  }
  environment.announce("listening on http://" + (*server)->address());

  stop.Wait();

  log_closed = true;  // closed below, where its status is reported
  teardown.Run();
  Status closed = log->Close();
  if (!closed.ok()) return Status(closed.code(), "closing the event log failed: " + closed.message());
  return Status::Ok();
}

}  // namespace dialtone::app
