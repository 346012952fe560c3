#include "app/serve.h"

#include <unistd.h>

#include <filesystem>

#include "actors/runtime.h"
#include "app/admin_key_file.h"
#include "app/ops_routes.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "gateway/v1/events_routes.h"
#include "store/rocksdb_log.h"

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

  actors::RuntimeOptions runtime_options;
  runtime_options.scheduler_threads = config.scheduler_threads;
  auto started = actors::Runtime::Start(*log, runtime_options);
  if (!started.ok()) {
    DiscardNewAdminKey(*admin);
    log->Close();
    return Status(started.status().code(), "cannot start the actor runtime: " + started.status().message());
  }
  std::unique_ptr<actors::Runtime> runtime = std::move(*started);
  const auto abort_startup = [&](Status status) {
    runtime->Shutdown();
    DiscardNewAdminKey(*admin);
    log->Close();
    return status;
  };

  auto http_metrics = std::make_shared<gateway::HttpMetrics>();
  gateway::Router router;
  OpsSources ops;
  ops.log = log.get();
  ops.actors_alive = [runtime = runtime.get()] { return runtime->ActorsAlive(); };
  ops.http_metrics = http_metrics;
  if (Status s = AddOpsRoutes(router, std::move(ops)); !s.ok()) return abort_startup(s);
  if (Status s = gateway::v1::AddEventsRoutes(router, *log, admin->key); !s.ok()) return abort_startup(s);

  gateway::HttpServerOptions http_options;
  http_options.host = config.http_host;
  http_options.port = config.http_port;
  http_options.io_threads = config.http_threads;
  http_options.metrics = http_metrics;
  auto server = gateway::HttpServer::Start(std::move(http_options), router.AsHandler());
  if (!server.ok()) return abort_startup(server.status());
  data_folder_guard.Keep();

  if (admin->new_secret) {
    environment.announce("admin key: " + *admin->new_secret +
                         " (shown only now; only its SHA-256 is kept in " + admin->hash_file + ")");
  }
  environment.announce("listening on http://" + (*server)->address());

  stop.Wait();

  (*server)->Stop();     // no new requests; in-flight ones finish
  runtime->Shutdown();   // in-flight commands finish their appends
  Status closed = log->Close();
  if (!closed.ok()) return Status(closed.code(), "closing the event log failed: " + closed.message());
  return Status::Ok();
}

}  // namespace dialtone::app
