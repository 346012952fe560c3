#include "app/cli.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "app/config.h"
#include "app/projections_cmd.h"
#include "app/serve.h"
#include "app/stop_signal.h"
#include "app/tail.h"
#include "store/rocksdb_log.h"

namespace dialtone::app {

namespace {

void PrintLine(std::FILE* stream, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

int UsageError(std::string_view command, const Status& status, std::string_view help_hint) {
  PrintLine(stderr, std::string(command) + ": " + status.message() + " (see " + std::string(help_hint) + ")");
  return kExitUsage;
}

int Failure(std::string_view command, const Status& status) {
  PrintLine(stderr, std::string(command) + ": " + status.message());
  return kExitFailure;
}

std::optional<std::string> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

int RunServe(const std::vector<std::string>& args) {
  static const std::vector<FlagSpec> kFlags = {
      {"data"}, {"http"}, {"config"}, {"durability"}, {"scheduler-threads"}, {"http-threads"}};
  auto flags = ParseFlags(args, kFlags);
  if (!flags.ok()) return UsageError("dialtone serve", flags.status(), "dialtone serve --help");
  if (flags->help) {
    std::fputs(ServeUsage().data(), stdout);
    return kExitOk;
  }
  auto config = ResolveServeConfig(SystemConfigSources(flags->values));
  if (!config.ok()) return UsageError("dialtone serve", config.status(), "dialtone serve --help");

  auto stop = std::make_shared<StopSignal>();
  RequestStopOnTerminationSignals(stop);
  ServeEnvironment environment;
  environment.admin_key = GetEnv("DIALTONE_ADMIN_KEY");
  environment.announce = [](std::string_view line) { PrintLine(stdout, line); };
  Status status = Serve(*config, environment, *stop);
  if (!status.ok()) return Failure("dialtone serve", status);
  return kExitOk;
}

// The data folder resolves exactly as for `serve` (flag > env > config file > default).
Result<std::string> DataFolderOf(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> config_flags;
  for (const char* key : {"data", "config"}) {
    if (auto it = values.find(key); it != values.end()) config_flags[key] = it->second;
  }
  auto settings = ResolveSettings(ServeSettingSpecs(), SystemConfigSources(std::move(config_flags)));
  if (!settings.ok()) return settings.status();
  return settings->at("data").value;
}

// The event log of an existing data folder, opened by this process alone; `busy_hint`
// is added to the error when a server holds it.
Result<std::unique_ptr<store::EventLog>> OpenExistingLog(const std::string& data_dir, std::string_view busy_hint) {
  store::RocksDbLogOptions log_options;
  log_options.path = (std::filesystem::path(data_dir) / "log").string();
  std::error_code ec;
  if (!std::filesystem::is_directory(log_options.path, ec)) {
    return Status::NotFound("no event log in data folder '" + data_dir + "' (expected " + log_options.path + ")");
  }
  log_options.create_if_missing = false;
  log_options.durability = store::Durability::kAsync;  // these commands never append
  auto log = store::OpenRocksDbLog(log_options);
  if (!log.ok() && log.status().code() == ErrorCode::kBusy) {
    return Status::Busy(log.status().message() + std::string(busy_hint));
  }
  return log;
}

int RunProjectionsRebuild(const std::vector<std::string>& args) {
  static const std::vector<FlagSpec> kFlags = {{"data"}, {"config"}};
  constexpr std::string_view kCommand = "dialtone projections rebuild";
  constexpr std::string_view kHelp = "dialtone projections rebuild --help";
  auto flags = ParseFlags(args, kFlags);
  if (!flags.ok()) return UsageError(kCommand, flags.status(), kHelp);
  if (flags->help) {
    std::fputs(ProjectionsRebuildUsage().data(), stdout);
    return kExitOk;
  }
  auto data_dir = DataFolderOf(flags->values);
  if (!data_dir.ok()) return UsageError(kCommand, data_dir.status(), kHelp);
  auto log = OpenExistingLog(*data_dir, "; a running `dialtone serve` holds it: stop it first");
  if (!log.ok()) return Failure(kCommand, log.status());
  auto report = RebuildConfigView(**log, (std::filesystem::path(*data_dir) / "views").string());
  Status closed = (*log)->Close();
  if (!report.ok()) return Failure(kCommand, report.status());
  if (!closed.ok()) return Failure(kCommand, closed);
  PrintLine(stdout, "config view: rebuilt from position 0 to " + std::to_string(report->head) + " (" +
                        std::to_string(report->events_folded) + " events folded); digest " + report->digest_after +
                        (report->digest_after == report->digest_before ? ", equal to the view before the rebuild"
                                                                       : ", the view before held other content (" +
                                                                             report->digest_before + ")"));
  PrintLine(stdout, "call-record view: kept in memory and folded from position 0 at every start; nothing to rebuild");
  return kExitOk;
}

int RunEventsTail(const std::vector<std::string>& args) {
  static const std::vector<FlagSpec> kFlags = {
      {"data"}, {"config"}, {"url"}, {"after"}, {"limit"}, {"follow", false}};
  constexpr std::string_view kCommand = "dialtone events tail";
  constexpr std::string_view kHelp = "dialtone events tail --help";
  auto flags = ParseFlags(args, kFlags);
  if (!flags.ok()) return UsageError(kCommand, flags.status(), kHelp);
  if (flags->help) {
    std::fputs(EventsTailUsage().data(), stdout);
    return kExitOk;
  }
  TailOptions options;
  options.follow = flags->values.contains("follow");
  if (auto it = flags->values.find("after"); it != flags->values.end()) {
    auto after = ParseCount(it->second, 0, UINT64_MAX, "--after");
    if (!after.ok()) return UsageError(kCommand, after.status(), kHelp);
    options.after = *after;
  }
  if (auto it = flags->values.find("limit"); it != flags->values.end()) {
    auto limit = ParseCount(it->second, 1, UINT64_MAX, "--limit");
    if (!limit.ok()) return UsageError(kCommand, limit.status(), kHelp);
    options.limit = *limit;
  }
  const LineWriter print = [flush_each = options.follow](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    if (flush_each) std::fflush(stdout);
  };

  if (auto url = flags->values.find("url"); url != flags->values.end()) {
    if (flags->values.contains("data") || flags->values.contains("config")) {
      return UsageError(kCommand, Status::InvalidArgument("--url reads from a server: it takes no --data or --config"),
                        kHelp);
    }
    auto parsed = gateway::ParseHttpUrl(url->second);
    if (!parsed.ok()) return UsageError(kCommand, parsed.status(), kHelp);
    auto key = GetEnv("DIALTONE_ADMIN_KEY");
    if (!key || key->empty()) {
      return UsageError(kCommand, Status::InvalidArgument("--url needs the server's admin key in DIALTONE_ADMIN_KEY"),
                        kHelp);
    }
    HttpTailSource source;
    source.url = std::move(*parsed);
    source.admin_key = std::move(*key);
    auto stop = std::make_shared<StopSignal>();
    RequestStopOnTerminationSignals(stop);
    Status status = TailEventsOverHttp(source, options, print, *stop);
    std::fflush(stdout);
    if (!status.ok()) return Failure(kCommand, status);
    return kExitOk;
  }

  auto data_dir = DataFolderOf(flags->values);
  if (!data_dir.ok()) return UsageError(kCommand, data_dir.status(), kHelp);
  auto stop = std::make_shared<StopSignal>();
  RequestStopOnTerminationSignals(stop);
  auto log = OpenExistingLog(*data_dir, "; a running `dialtone serve` holds it: stop it, or tail through it "
                                        "with --url http://HOST:PORT");
  if (!log.ok()) return Failure(kCommand, log.status());
  Status status = TailEvents(**log, options, print, *stop);
  std::fflush(stdout);
  Status closed = (*log)->Close();
  if (!status.ok()) return Failure(kCommand, status);
  if (!closed.ok()) return Failure(kCommand, closed);
  return kExitOk;
}

}  // namespace

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      return Status::InvalidArgument("unexpected argument '" + arg + "'");
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return Status::InvalidArgument("unknown flag --" + name);
    if (parsed.values.contains(name)) return Status::InvalidArgument("flag --" + name + " is given twice");
    if (!spec->takes_value) {
      if (eq != std::string::npos) return Status::InvalidArgument("flag --" + name + " takes no value");
      parsed.values[name] = "true";
      continue;
    }
    if (eq != std::string::npos) {
      parsed.values[name] = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      parsed.values[name] = args[++i];
    } else {
      return Status::InvalidArgument("flag --" + name + " needs a value");
    }
  }
  return parsed;
}

std::string_view MainUsage() {
  return R"(dialtone - an event-sourced cloud PBX and SIP-trunking platform

Usage:
  dialtone serve [options]         run the server (dialtone serve --help)
  dialtone events tail [options]   print events of the log as JSON lines
                                   (dialtone events tail --help)
  dialtone projections rebuild     fold the query views again from position 0
                                   (dialtone projections rebuild --help)
  dialtone --help                  show this text

Exit status: 0 success, 1 the command failed, 2 bad usage.
)";
}

std::string_view ServeUsage() {
  return R"(Usage: dialtone serve [options]

Opens the event log under <data>/log, starts the actor runtime and the HTTP listener.
Prints "listening on http://HOST:PORT" once ready; SIGTERM or SIGINT shut it down cleanly.

Options (each also from the environment variable shown, or a config file line
`key = value` with the option's name; precedence: flag > environment > file > default):
  --data DIR               data folder (DIALTONE_DATA; default ./data)
  --http HOST:PORT         listen address (DIALTONE_HTTP; default 127.0.0.1:8080;
                           port 0 picks a free port)
  --config FILE            config file (DIALTONE_CONFIG; default none)
  --durability sync|async  sync fsyncs every acknowledged append; async survives a
                           process crash but not power loss (DIALTONE_DURABILITY;
                           default sync)
  --scheduler-threads N    actor scheduler threads, 0 = one per core
                           (DIALTONE_SCHEDULER_THREADS; default 0)
  --http-threads N         HTTP I/O threads (DIALTONE_HTTP_THREADS; default 2)
  --help                   show this text

Admin key: GET /v1/events needs `x-api-key: KEY` or `Authorization: Bearer KEY`.
KEY is DIALTONE_ADMIN_KEY when set; otherwise it is created on first start, printed
once, and only its SHA-256 is kept in <data>/admin-key.sha256.

Routes: GET /healthz, GET /metrics, GET /v1/events?after=N&limit=N (limit 1..1000, admin
key); the configuration API under /v1 and the trunking API under /est/v1, each described
by its OpenAPI document: GET /v1/openapi.json, GET /est/v1/openapi.json.
Data folder: log/ (the event log), views/ (query views), media/ (uploaded audio),
secret.key (the node key sealing write-only secrets), admin-key.sha256.
)";
}

std::string_view EventsTailUsage() {
  return R"(Usage: dialtone events tail [options]

Prints the events of the log as JSON lines. By default it reads the data folder
directly, which a running `dialtone serve` holds locked; with --url it reads from
that server's GET /v1/events instead, using the admin key in DIALTONE_ADMIN_KEY.

Options:
  --data DIR      data folder (DIALTONE_DATA, config file `data`; default ./data)
  --config FILE   config file to read `data` from (DIALTONE_CONFIG)
  --url URL       read from a running server, e.g. http://127.0.0.1:8080
  --after N       start after log position N (default 0: from the beginning)
  --limit N       stop after N events
  --follow        keep printing new events until SIGINT/SIGTERM
  --help          show this text
)";
}

std::string_view ProjectionsRebuildUsage() {
  return R"(Usage: dialtone projections rebuild [options]

Empties the configuration view (<data>/views) and folds it again from position 0 of the
event log, then prints its content digest and whether it equals the view's content
before the rebuild. The server must be stopped (it holds the data folder's locks).

Options:
  --data DIR      data folder (DIALTONE_DATA, config file `data`; default ./data)
  --config FILE   config file to read `data` from (DIALTONE_CONFIG)
  --help          show this text
)";
}

int RunCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(MainUsage().data(), stderr);
    return kExitUsage;
  }
  const std::string& command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(MainUsage().data(), stdout);
    return kExitOk;
  }
  if (command == "serve") return RunServe({args.begin() + 1, args.end()});
  if (command == "events") {
    if (args.size() >= 2 && args[1] == "tail") return RunEventsTail({args.begin() + 2, args.end()});
    if (args.size() >= 2 && (args[1] == "--help" || args[1] == "-h")) {
      std::fputs(MainUsage().data(), stdout);
      return kExitOk;
    }
    PrintLine(stderr, "dialtone events: unknown or missing sub-command" +
                          (args.size() >= 2 ? " '" + args[1] + "'" : std::string()) +
                          " (expected: tail; see dialtone --help)");
    return kExitUsage;
  }
  if (command == "projections") {
    if (args.size() >= 2 && args[1] == "rebuild") return RunProjectionsRebuild({args.begin() + 2, args.end()});
    PrintLine(stderr, "dialtone projections: unknown or missing sub-command" +
                          (args.size() >= 2 ? " '" + args[1] + "'" : std::string()) +
                          " (expected: rebuild; see dialtone --help)");
    return kExitUsage;
  }
  PrintLine(stderr, "dialtone: unknown command '" + command + "' (see dialtone --help)");
  return kExitUsage;
}

}  // namespace dialtone::app
