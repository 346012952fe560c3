// The `dialtone` binary's logic in-process: settings precedence, flag parsing, the admin
// key file, `events tail` (with the in-memory log) and the /metrics rendering.
#define BOOST_TEST_MODULE app_unit
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "account.pb.h"
#include "app/admin_key_file.h"
#include "app/cli.h"
#include "app/config.h"
#include "app/ops_routes.h"
#include "app/tail.h"
#include "app/token_key.h"
#include "events/event_types.h"
#include "store/event_log.h"
#include "test_printers.h"

namespace fs = std::filesystem;
using namespace dialtone;
using namespace dialtone::app;

namespace {

// Sources with an in-memory environment and file system.
struct FakeSources {
  std::map<std::string, std::string> flags;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;

  ConfigSources Get() const {
    ConfigSources s;
    s.flags = flags;
    s.getenv = [env = env](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    s.read_file = [files = files](const std::string& path) -> Result<std::string> {
      auto it = files.find(path);
      if (it == files.end()) return Status::IOError("no such file");
      return it->second;
    };
    return s;
  }
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "dialtone-app-unit-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void AppendAccount(store::EventLog& log, int i) {
  events::AccountCreated created;
  created.set_account_id("acct-" + std::to_string(i));
  store::AppendRequest request;
  request.stream = "account-acct-" + std::to_string(i);
  request.events.push_back(events::MakeEvent(events::kAccountCreated, created));
  BOOST_REQUIRE(log.Append(std::move(request)).ok());
}

uint64_t PositionOf(std::string_view line) {
  return nlohmann::json::parse(line).at("position").get<uint64_t>();
}

// Collects lines written from any thread and lets the test wait for a count.
class LineCollector {
 public:
  LineWriter Writer() {
    return [this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
      cv_.notify_all();
    };
  }
  bool WaitForCount(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return lines_.size() >= n; });
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(Settings)

BOOST_AUTO_TEST_CASE(DefaultsApplyWhenNothingIsSet) {
  auto config = ResolveServeConfig(FakeSources{}.Get());
  BOOST_REQUIRE(config.ok());
  BOOST_TEST(config->data_dir == "./data");
  BOOST_TEST(config->http_host == "127.0.0.1");
  BOOST_TEST(config->http_port == 8080);
  BOOST_TEST((config->durability == store::Durability::kSync));
  BOOST_TEST(config->scheduler_threads == 0u);
  BOOST_TEST(config->http_threads == 2u);
}

BOOST_AUTO_TEST_CASE(FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  FakeSources sources;
  sources.files["/etc/d.conf"] = "data = /file\nhttp = 0.0.0.0:1\ndurability = async\nhttp-threads = 3\n";
  sources.flags["config"] = "/etc/d.conf";
  sources.env["DIALTONE_HTTP"] = "10.0.0.1:2";
  sources.env["DIALTONE_DATA"] = "/env";
  sources.flags["data"] = "/flag";

  auto config = ResolveServeConfig(sources.Get());
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  BOOST_TEST(config->data_dir == "/flag");             // flag over env and file
  BOOST_TEST(config->http_host == "10.0.0.1");         // env over file
  BOOST_TEST(config->http_port == 2);
  BOOST_TEST((config->durability == store::Durability::kAsync));  // file over default
  BOOST_TEST(config->http_threads == 3u);
  BOOST_TEST(config->scheduler_threads == 0u);         // default
}

BOOST_AUTO_TEST_CASE(TheConfigFileMayComeFromTheEnvironment) {
  FakeSources sources;
  sources.files["/c"] = "# a comment\n\n  scheduler-threads = 4  \ndata = \"/quoted path\"\n";
  sources.env["DIALTONE_CONFIG"] = "/c";
  auto config = ResolveServeConfig(sources.Get());
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  BOOST_TEST(config->scheduler_threads == 4u);
  BOOST_TEST(config->data_dir == "/quoted path");
}

BOOST_AUTO_TEST_CASE(ErrorsNameWhereTheBadValueCameFrom) {
  auto error_of = [](FakeSources sources) { return ResolveServeConfig(sources.Get()).status().message(); };
  FakeSources file;
  file.flags["config"] = "/c";
  file.files["/c"] = "data = x\ndurability = fast\n";
  BOOST_TEST(error_of(file).find("config file /c line 2") != std::string::npos, error_of(file));

  FakeSources env;
  env.env["DIALTONE_HTTP_THREADS"] = "many";
  BOOST_TEST(error_of(env).find("DIALTONE_HTTP_THREADS") != std::string::npos);

  FakeSources flag;
  flag.flags["http"] = "host:70000";
  BOOST_TEST(error_of(flag).find("--http") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(MalformedConfigFilesAreRejected) {
  for (const char* text : {"justaword\n", "colour = red\n", "data = a\ndata = b\n"}) {
    FakeSources sources;
    sources.flags["config"] = "/c";
    sources.files["/c"] = text;
    BOOST_TEST(ResolveServeConfig(sources.Get()).status().code() == ErrorCode::kInvalidArgument, text);
  }
  FakeSources missing;
  missing.flags["config"] = "/absent";
  BOOST_TEST(ResolveServeConfig(missing.Get()).status().message().find("cannot read config file") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(HostPortParsingAcceptsNamesAndBracketedIpv6) {
  auto v6 = ParseHostPort("[::1]:9000", "--http");
  BOOST_REQUIRE(v6.ok());
  BOOST_TEST(v6->first == "::1");
  BOOST_TEST(v6->second == 9000);
  BOOST_TEST(ParseHostPort("localhost:0", "--http").ok());
  for (const char* bad : {"", "8080", ":8080", "host:", "host:-1", "host:65536", "host:80x", "a b:1"}) {
    BOOST_TEST(!ParseHostPort(bad, "--http").ok(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Flags)

BOOST_AUTO_TEST_CASE(ValuesMayFollowOrBeJoinedWithEquals) {
  auto parsed = ParseFlags({"--data", "/d", "--http=h:1", "--follow"},
                           {{"data"}, {"http"}, {"follow", false}});
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed->values.at("data") == "/d");
  BOOST_TEST(parsed->values.at("http") == "h:1");
  BOOST_TEST(parsed->values.at("follow") == "true");
  BOOST_TEST(!parsed->help);
  BOOST_TEST(ParseFlags({"-h"}, {})->help);
}

BOOST_AUTO_TEST_CASE(UnknownMissingRepeatedAndPositionalArgumentsAreErrors) {
  const std::vector<FlagSpec> specs = {{"data"}, {"follow", false}};
  BOOST_TEST(ParseFlags({"--nope"}, specs).status().message() == "unknown flag --nope");
  BOOST_TEST(ParseFlags({"--data"}, specs).status().message() == "flag --data needs a value");
  BOOST_TEST(ParseFlags({"--data", "a", "--data", "b"}, specs).status().message() == "flag --data is given twice");
  BOOST_TEST(ParseFlags({"stray"}, specs).status().message() == "unexpected argument 'stray'");
  BOOST_TEST(ParseFlags({"--follow=yes"}, specs).status().message() == "flag --follow takes no value");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(TokenKey)

BOOST_AUTO_TEST_CASE(TheTokenKeyIsMadeOnceSealedInTheLogAndReadBackByEveryStart) {
  auto log = dialtone::store::NewMemoryEventLog();
  const std::string node_key(32, 'n');
  auto none = dialtone::app::LoadOrCreateTokenKey(*log, node_key, /*create=*/false);
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
  BOOST_TEST(log->HeadPosition() == 0u);
  auto made = dialtone::app::LoadOrCreateTokenKey(*log, node_key, /*create=*/true);
  BOOST_REQUIRE(made.ok());
  BOOST_REQUIRE(made->has_value());
  BOOST_TEST((*made)->size() == 32u);
  auto again = dialtone::app::LoadOrCreateTokenKey(*log, node_key, /*create=*/true);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(**again == **made);  // never a second key
  BOOST_TEST(log->HeadPosition() == 1u);
  auto stored = log->ReadStream(dialtone::app::kTokenKeyStream, {});
  BOOST_REQUIRE(stored.ok());
  BOOST_TEST(stored->front().payload.find(**made) == std::string::npos);  // sealed, never in the clear
  auto foreign = dialtone::app::LoadOrCreateTokenKey(*log, std::string(32, 'x'), /*create=*/true);
  BOOST_TEST((foreign.status().code() == dialtone::ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(AdminKeyFile)

BOOST_AUTO_TEST_CASE(FirstCallCreatesAKeyKeptOnlyAsAHashWithMode0600) {
  TempDir dir;
  auto created = LoadOrCreateAdminKey(dir.path(), std::nullopt);
  BOOST_REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  BOOST_REQUIRE(created->new_secret.has_value());
  const std::string secret = *created->new_secret;
  BOOST_TEST(created->key.Matches(secret));

  struct stat st {};
  BOOST_REQUIRE(::stat(created->hash_file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  std::ifstream in(created->hash_file);
  std::string stored;
  in >> stored;
  BOOST_TEST(stored == created->key.HashHex());

  auto loaded = LoadOrCreateAdminKey(dir.path(), std::nullopt);
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST(!loaded->new_secret.has_value());
  BOOST_TEST(loaded->key.Matches(secret));
}

BOOST_AUTO_TEST_CASE(TheEnvironmentKeyWinsAndWritesNothing) {
  TempDir dir;
  auto setup = LoadOrCreateAdminKey(dir.path(), std::string("from-env"));
  BOOST_REQUIRE(setup.ok());
  BOOST_TEST(setup->key.Matches("from-env"));
  BOOST_TEST(!setup->new_secret.has_value());
  BOOST_TEST(fs::is_empty(dir.path()));
  BOOST_TEST(LoadOrCreateAdminKey(dir.path(), std::string()).status().code() == ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(ADamagedHashFileIsCorruption) {
  TempDir dir;
  std::ofstream(fs::path(dir.path()) / kAdminKeyFileName) << "zz\n";
  BOOST_TEST(LoadOrCreateAdminKey(dir.path(), std::nullopt).status().code() == ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(DiscardRemovesANewKeyOnly) {
  TempDir dir;
  auto created = LoadOrCreateAdminKey(dir.path(), std::nullopt);
  BOOST_REQUIRE(created.ok());
  auto loaded = LoadOrCreateAdminKey(dir.path(), std::nullopt);
  DiscardNewAdminKey(*loaded);  // not new: kept
  BOOST_TEST(fs::exists(created->hash_file));
  DiscardNewAdminKey(*created);
  BOOST_TEST(!fs::exists(created->hash_file));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Tail)

BOOST_AUTO_TEST_CASE(WithoutFollowItPrintsTheEventsAfterAPositionUpToALimit) {
  auto log = store::NewMemoryEventLog();
  for (int i = 1; i <= 5; ++i) AppendAccount(*log, i);
  StopSignal stop;
  LineCollector all;
  BOOST_REQUIRE(TailEvents(*log, {}, all.Writer(), stop).ok());
  BOOST_REQUIRE(all.lines().size() == 5u);
  BOOST_TEST(PositionOf(all.lines()[0]) == 1u);
  BOOST_TEST(nlohmann::json::parse(all.lines()[4]).at("stream").get<std::string>() == "account-acct-5");

  LineCollector window;
  TailOptions options;
  options.after = 2;
  options.limit = 2;
  BOOST_REQUIRE(TailEvents(*log, options, window.Writer(), stop).ok());
  BOOST_REQUIRE(window.lines().size() == 2u);
  BOOST_TEST(PositionOf(window.lines()[0]) == 3u);
  BOOST_TEST(PositionOf(window.lines()[1]) == 4u);

  LineCollector none;
  options.after = 5;
  options.limit.reset();
  BOOST_REQUIRE(TailEvents(*log, options, none.Writer(), stop).ok());
  BOOST_TEST(none.lines().empty());
}

BOOST_AUTO_TEST_CASE(FollowPrintsEventsAppendedAfterItStarted) {
  auto log = store::NewMemoryEventLog();
  AppendAccount(*log, 1);
  StopSignal stop;
  LineCollector lines;
  TailOptions options;
  options.follow = true;
  std::thread tail([&] { BOOST_CHECK(TailEvents(*log, options, lines.Writer(), stop).ok()); });
  BOOST_REQUIRE(lines.WaitForCount(1));
  AppendAccount(*log, 2);
  AppendAccount(*log, 3);
  BOOST_TEST(lines.WaitForCount(3));
  stop.Request();
  tail.join();
  const auto printed = lines.lines();
  BOOST_REQUIRE(printed.size() == 3u);
  for (size_t i = 0; i < printed.size(); ++i) BOOST_TEST(PositionOf(printed[i]) == i + 1);
}

BOOST_AUTO_TEST_CASE(FollowWithALimitStopsByItselfOnceReached) {
  auto log = store::NewMemoryEventLog();
  StopSignal stop;
  LineCollector lines;
  TailOptions options;
  options.follow = true;
  options.limit = 2;
  std::thread tail([&] { BOOST_CHECK(TailEvents(*log, options, lines.Writer(), stop).ok()); });
  for (int i = 1; i <= 3; ++i) AppendAccount(*log, i);
  tail.join();  // returns without an outside stop
  BOOST_TEST(stop.requested());
  BOOST_TEST(lines.lines().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Metrics)

BOOST_AUTO_TEST_CASE(MetricsRenderLogActorAndHttpSeries) {
  auto log = store::NewMemoryEventLog();
  AppendAccount(*log, 1);
  AppendAccount(*log, 2);
  auto http = std::make_shared<gateway::HttpMetrics>();
  http->requests.Add();
  http->responses_by_class[1].Add();
  OpsSources sources;
  sources.log = log.get();
  sources.actors_alive = [] { return size_t{7}; };
  sources.http_metrics = http;
  const std::string text = RenderMetrics(sources);
  for (const char* line : {"dialtone_appends_total 2\n", "dialtone_events_appended_total 2\n",
                           "# TYPE dialtone_commit_batches_total counter\n",
                           "dialtone_append_latency_seconds_count 2\n", "dialtone_log_head_position 2\n",
                           "dialtone_actors_alive 7\n", "dialtone_http_requests_total{code=\"2xx\"} 1\n"}) {
    BOOST_TEST(text.find(line) != std::string::npos, "missing: " << line);
  }
}

BOOST_AUTO_TEST_SUITE_END()
