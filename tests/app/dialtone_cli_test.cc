// Black-box tests of the `dialtone` binary: each test spawns the built executable on a
// free loopback port (port 0, read back from its "listening on" line) with a fresh data
// folder, and talks HTTP to it.
#define BOOST_TEST_MODULE dialtone_cli
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "child_process.h"
#include "events/event_types.h"
#include "http_client.h"
#include "store/rocksdb_log.h"

namespace fs = std::filesystem;
using dialtone::testing::ChildProcess;
using dialtone::testing::HttpGet;
using dialtone::testing::HttpReply;
using dialtone::testing::RunResult;

namespace {

const std::string kBinary = DIALTONE_BINARY;
constexpr char kListening[] = "listening on http://";

struct Server {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
  std::optional<std::string> printed_key;  // the "admin key: …" secret, if printed
};

// A temporary folder per test: <root>/data is the data folder.
class Workspace {
 public:
  Workspace() {
    std::string pattern = (fs::temp_directory_path() / "dialtone-cli-test-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
    data_ = (fs::path(root_) / "data").string();
  }
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  const std::string& root() const { return root_; }
  const std::string& data() const { return data_; }
  std::string NewStderrPath() { return (fs::path(root_) / ("stderr-" + std::to_string(++files_) + ".txt")).string(); }

  // Appends `count` account.created events (accounts first_index…) to the log under
  // `data_dir`, from this process: no server may be running on it.
  void AppendAccounts(int count, int first_index = 1, std::string data_dir = "") {
    if (data_dir.empty()) data_dir = data_;
    fs::create_directories(data_dir);
    dialtone::store::RocksDbLogOptions options;
    options.path = (fs::path(data_dir) / "log").string();
    auto log = dialtone::store::OpenRocksDbLog(options);
    BOOST_REQUIRE_MESSAGE(log.ok(), log.status().ToString());
    for (int i = first_index; i < first_index + count; ++i) {
      dialtone::events::AccountCreated created;
      created.set_account_id("acct-" + std::to_string(i));
      created.mutable_settings()->set_name("Account " + std::to_string(i));
      dialtone::store::AppendRequest request;
      request.stream = "account-acct-" + std::to_string(i);
      request.expected = dialtone::store::ExpectedVersion::NoStream();
      request.events.push_back(dialtone::events::MakeEvent(dialtone::events::kAccountCreated, created));
      auto outcome = (*log)->Append(std::move(request));
      BOOST_REQUIRE_MESSAGE(outcome.ok(), outcome.status().ToString());
    }
    BOOST_REQUIRE((*log)->Close().ok());
  }

  // Starts `dialtone serve --data <data> --http 127.0.0.1:0 <extra>` and waits for its
  // "listening on" line.
  Server StartServer(std::vector<std::string> extra = {}, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"serve", "--data", data_, "--http", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    Server server;
    server.process = std::make_unique<ChildProcess>(kBinary, args, env, NewStderrPath());
    BOOST_REQUIRE(server.process->started());
    std::vector<std::string> before;
    auto line = server.process->ReadLineContaining(kListening, &before);
    BOOST_REQUIRE_MESSAGE(line.has_value(), "server did not report listening; stderr: " + server.process->Stderr());
    server.port = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    for (const auto& l : before) {
      const size_t at = l.find("admin key: ");
      if (at != std::string::npos) {
        const std::string rest = l.substr(at + 11);
        server.printed_key = rest.substr(0, rest.find(' '));
      }
    }
    return server;
  }

  RunResult Run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
    return dialtone::testing::RunToCompletion(kBinary, args, env, NewStderrPath());
  }

 private:
  std::string root_;
  std::string data_;
  int files_ = 0;
};

// Stops the server with SIGTERM and returns its exit code.
std::optional<int> Terminate(Server& server) {
  server.process->Signal(SIGTERM);
  return server.process->WaitForExit();
}

nlohmann::json ParseJson(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!json.is_discarded(), "not JSON: " + text);
  return json;
}

std::vector<std::pair<std::string, std::string>> ApiKey(const std::string& key) {
  return {{"x-api-key", key}};
}

std::vector<uint64_t> Positions(const nlohmann::json& body) {
  std::vector<uint64_t> out;
  for (const auto& e : body.at("events")) out.push_back(e.at("position").get<uint64_t>());
  return out;
}

void CheckErrorShape(const HttpReply& reply, int status, const std::string& code) {
  BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error);
  BOOST_TEST(reply.status == status);
  const auto body = ParseJson(reply.body);
  BOOST_TEST(body.at("error").at("code").get<std::string>() == code);
  BOOST_TEST(!body.at("error").at("message").get<std::string>().empty());
  BOOST_TEST(body.at("error").at("request_id").get<std::string>() == reply.Header("x-request-id"));
}

// A one-line message on stderr, and nothing announced as ready on stdout.
void CheckCleanFailure(const RunResult& result, int expected_code, const std::string& message_part) {
  BOOST_REQUIRE(result.exit_code.has_value());
  BOOST_TEST(*result.exit_code == expected_code);
  const auto lines = dialtone::testing::SplitLines(result.err);
  BOOST_TEST_REQUIRE(lines.size() == 1u, "stderr: " << result.err);
  BOOST_TEST(lines[0].find(message_part) != std::string::npos, "stderr: " << result.err);
  BOOST_TEST(result.out.find("listening") == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Serve)

BOOST_AUTO_TEST_CASE(HealthzReportsOkAndTheLogHead) {
  Workspace ws;
  ws.AppendAccounts(3);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const HttpReply reply = HttpGet(server.port, "/healthz");
  BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error);
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(!reply.Header("x-request-id").empty());
  const auto body = ParseJson(reply.body);
  BOOST_TEST(body.at("status").get<std::string>() == "ok");
  BOOST_TEST(body.at("head").get<uint64_t>() == 3u);
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(MetricsExposeLogActorAndHttpSeries) {
  Workspace ws;
  ws.AppendAccounts(2);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  BOOST_REQUIRE(HttpGet(server.port, "/healthz").status == 200);
  const HttpReply reply = HttpGet(server.port, "/metrics");
  BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error);
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.Header("content-type").find("text/plain") == 0u);
  for (const char* series :
       {"# TYPE dialtone_appends_total counter", "# TYPE dialtone_events_appended_total counter",
        "# TYPE dialtone_commit_batches_total counter", "# TYPE dialtone_append_latency_seconds histogram",
        "dialtone_append_latency_seconds_bucket{le=\"+Inf\"}", "dialtone_log_head_position 2\n",
        "# TYPE dialtone_actors_alive gauge", "dialtone_http_requests_total{code=\"2xx\"} 1\n"}) {
    BOOST_TEST(reply.body.find(series) != std::string::npos, "missing: " << series);
  }
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Workspace ws;
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  CheckErrorShape(HttpGet(server.port, "/nope"), 404, "NOT_FOUND");
  const HttpReply wrong = dialtone::testing::HttpRequest(server.port, "POST", "/healthz");
  CheckErrorShape(wrong, 405, "METHOD_NOT_ALLOWED");
  BOOST_TEST(wrong.Header("allow") == "GET");
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(ClientRequestIdIsEchoed) {
  Workspace ws;
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const HttpReply reply = HttpGet(server.port, "/healthz", {{"x-request-id", "trace-42"}});
  BOOST_TEST(reply.Header("x-request-id") == "trace-42");
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(EventsRequireTheAdminKey) {
  Workspace ws;
  ws.AppendAccounts(1);
  Server server = ws.StartServer();
  BOOST_REQUIRE(server.printed_key.has_value());
  const std::string key = *server.printed_key;

  const HttpReply missing = HttpGet(server.port, "/v1/events");
  CheckErrorShape(missing, 401, "UNAUTHENTICATED");
  CheckErrorShape(HttpGet(server.port, "/v1/events", ApiKey(key + "x")), 401, "UNAUTHENTICATED");
  CheckErrorShape(HttpGet(server.port, "/v1/events", {{"authorization", "Bearer wrong"}}), 401,
                  "UNAUTHENTICATED");

  const HttpReply by_header = HttpGet(server.port, "/v1/events", ApiKey(key));
  BOOST_TEST(by_header.status == 200);
  BOOST_TEST(Positions(ParseJson(by_header.body)) == std::vector<uint64_t>{1});
  const HttpReply by_bearer = HttpGet(server.port, "/v1/events", {{"Authorization", "Bearer " + key}});
  BOOST_TEST(by_bearer.status == 200);
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(EventsRenderEachEventAsJson) {
  Workspace ws;
  ws.AppendAccounts(2);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const auto body = ParseJson(HttpGet(server.port, "/v1/events", ApiKey("k")).body);
  BOOST_REQUIRE(body.at("events").size() == 2u);
  const auto& first = body.at("events")[0];
  BOOST_TEST(first.at("stream").get<std::string>() == "account-acct-1");
  BOOST_TEST(first.at("type").get<std::string>() == "account.created");
  BOOST_TEST(first.at("version").get<uint64_t>() == 1u);
  BOOST_TEST(first.at("data").at("account_id").get<std::string>() == "acct-1");
  BOOST_TEST(body.at("next_after").get<uint64_t>() == 2u);
  BOOST_TEST(body.at("head").get<uint64_t>() == 2u);
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(EventsPageWithAfterAndLimitAndReadPastTheHeadEmpty) {
  Workspace ws;
  ws.AppendAccounts(5);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  auto page = [&](const std::string& query) {
    const HttpReply reply = HttpGet(server.port, "/v1/events" + query, ApiKey("k"));
    BOOST_REQUIRE_MESSAGE(reply.status == 200, reply.body);
    return ParseJson(reply.body);
  };
  auto first = page("?after=0&limit=2");
  BOOST_TEST(Positions(first) == (std::vector<uint64_t>{1, 2}));
  BOOST_TEST(first.at("next_after").get<uint64_t>() == 2u);
  BOOST_TEST(first.at("head").get<uint64_t>() == 5u);
  auto second = page("?after=2&limit=2");
  BOOST_TEST(Positions(second) == (std::vector<uint64_t>{3, 4}));
  auto last = page("?after=4&limit=2");
  BOOST_TEST(Positions(last) == (std::vector<uint64_t>{5}));
  BOOST_TEST(last.at("next_after").get<uint64_t>() == 5u);
  auto defaults = page("");
  BOOST_TEST(Positions(defaults) == (std::vector<uint64_t>{1, 2, 3, 4, 5}));

  for (const char* past_head : {"?after=5", "?after=6&limit=1000", "?after=18446744073709551615"}) {
    auto empty = page(past_head);
    BOOST_TEST(empty.at("events").empty(), past_head);
    BOOST_TEST(empty.at("head").get<uint64_t>() == 5u);
  }
  BOOST_TEST(page("?after=9").at("next_after").get<uint64_t>() == 9u);
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(MalformedOrAbsurdAfterAndLimitAre400) {
  Workspace ws;
  ws.AppendAccounts(1);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  for (const char* query : {"?limit=-1", "?limit=abc", "?limit=100000", "?limit=0", "?limit=1001", "?limit=",
                            "?limit=1e3", "?after=-1", "?after=abc", "?after=99999999999999999999999",
                            "?after=%zz"}) {
    BOOST_TEST_CONTEXT(query) {
      const HttpReply reply = HttpGet(server.port, std::string("/v1/events") + query, ApiKey("k"));
      BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error);
      BOOST_TEST(reply.status == 400);
      BOOST_TEST(ParseJson(reply.body).at("error").contains("code"));
    }
  }
  BOOST_TEST(HttpGet(server.port, "/v1/events?limit=1000", ApiKey("k")).status == 200);
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(AdminKeyFromTheEnvironmentIsUsedAndNoneIsCreated) {
  Workspace ws;
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "env-secret-123"}});
  BOOST_TEST(!server.printed_key.has_value());
  BOOST_TEST(HttpGet(server.port, "/v1/events", ApiKey("env-secret-123")).status == 200);
  BOOST_TEST(HttpGet(server.port, "/v1/events", ApiKey("other")).status == 401);
  BOOST_TEST(!fs::exists(fs::path(ws.data()) / "admin-key.sha256"));
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(FirstStartPrintsTheKeyOnceAndARestartKeepsIt) {
  Workspace ws;
  Server first = ws.StartServer();
  BOOST_REQUIRE(first.printed_key.has_value());
  const std::string key = *first.printed_key;
  BOOST_TEST(key.rfind("dta_", 0) == 0u);
  BOOST_TEST(key.size() == 4u + 32u);
  BOOST_TEST(*Terminate(first) == 0);

  const fs::path hash_file = fs::path(ws.data()) / "admin-key.sha256";
  struct stat st {};
  BOOST_REQUIRE(::stat(hash_file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  std::ifstream in(hash_file);
  std::string stored;
  in >> stored;
  BOOST_TEST(stored.size() == 64u);
  BOOST_TEST(stored.find(key.substr(4)) == std::string::npos);  // the secret itself is not stored

  Server second = ws.StartServer();
  BOOST_TEST(!second.printed_key.has_value());
  BOOST_TEST(HttpGet(second.port, "/v1/events", ApiKey(key)).status == 200);
  BOOST_TEST(*Terminate(second) == 0);
}

BOOST_AUTO_TEST_CASE(SigtermAndSigintExitZeroAndARestartSeesEveryEvent) {
  Workspace ws;
  ws.AppendAccounts(4);
  Server first = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  BOOST_TEST(HttpGet(first.port, "/healthz").status == 200);
  BOOST_TEST(*Terminate(first) == 0);
  ws.AppendAccounts(2, 5);  // the lock was released: this process can append

  Server second = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const auto body = ParseJson(HttpGet(second.port, "/v1/events", ApiKey("k")).body);
  BOOST_TEST(Positions(body) == (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  second.process->Signal(SIGINT);
  BOOST_TEST(*second.process->WaitForExit() == 0);
}

BOOST_AUTO_TEST_CASE(KeepAliveServesSeveralRequestsOnOneConnection) {
  Workspace ws;
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  dialtone::testing::HttpConnection connection(server.port);
  BOOST_REQUIRE(connection.connected());
  for (int i = 0; i < 3; ++i) {
    BOOST_REQUIRE(connection.SendRaw(dialtone::testing::FormatRequest("GET", "/healthz", {}, "", true)));
    const HttpReply reply = connection.ReadReply();
    BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error);
    BOOST_TEST(reply.status == 200);
  }
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(ASecondServerOnALockedDataFolderFailsWithOneLine) {
  Workspace ws;
  Server first = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const RunResult second = ws.Run({"serve", "--data", ws.data(), "--http", "127.0.0.1:0"},
                                  {{"DIALTONE_ADMIN_KEY", "k"}});
  CheckCleanFailure(second, 1, "locked");
  BOOST_TEST(HttpGet(first.port, "/healthz").status == 200);
  BOOST_TEST(*Terminate(first) == 0);
}

BOOST_AUTO_TEST_CASE(APortInUseFailsWithoutAnnouncingOrKeepingANewKey) {
  Workspace ws;
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  BOOST_REQUIRE(::listen(holder, 1) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  const RunResult result = ws.Run({"serve", "--data", ws.data(), "--http", taken});
  CheckCleanFailure(result, 1, "in use");
  BOOST_TEST(result.out.empty(), "stdout: " << result.out);  // no key shown for a failed start
  BOOST_TEST(!fs::exists(ws.data()), "a failed start removes the data folder it created");

  // An existing folder is kept, but gets no new key.
  fs::create_directories(ws.data());
  const RunResult again = ws.Run({"serve", "--data", ws.data(), "--http", taken});
  ::close(holder);
  CheckCleanFailure(again, 1, "in use");
  BOOST_TEST(fs::exists(ws.data()));
  BOOST_TEST(!fs::exists(fs::path(ws.data()) / "admin-key.sha256"));
}

BOOST_AUTO_TEST_CASE(BadFlagsAndValuesFailWithOneLineAndUsageExitCode) {
  Workspace ws;
  const std::string data = ws.data();
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--bogus"}), 2, "unknown flag --bogus");
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--durability", "fast"}), 2, "--durability");
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--http", "127.0.0.1:99999"}), 2, "port");
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--http", "127.0.0.1:http"}), 2, "port");
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--http", "nocolon"}), 2, "HOST:PORT");
  CheckCleanFailure(ws.Run({"serve", "--data", data, "--http-threads", "0"}), 2, "--http-threads");
  CheckCleanFailure(ws.Run({"serve", "--data"}), 2, "needs a value");
  CheckCleanFailure(ws.Run({"serve", "--data", data}, {{"DIALTONE_DURABILITY", "maybe"}}), 2,
                    "DIALTONE_DURABILITY");
  CheckCleanFailure(ws.Run({"frobnicate"}), 2, "unknown command 'frobnicate'");
  CheckCleanFailure(ws.Run({"events", "head"}), 2, "'head'");
  BOOST_TEST(!fs::exists(data), "a rejected command must not create the data folder");
}

BOOST_AUTO_TEST_CASE(ABadConfigFileValueFailsNamingTheFileAndLine) {
  Workspace ws;
  const std::string config = (fs::path(ws.root()) / "dialtone.conf").string();
  std::ofstream(config) << "# comment\ndata = " << ws.data() << "\ndurability = fast\n";
  CheckCleanFailure(ws.Run({"serve", "--config", config}), 2, "line 3");
  std::ofstream(config) << "colour = blue\n";
  CheckCleanFailure(ws.Run({"serve", "--config", config}), 2, "unknown key 'colour'");
  CheckCleanFailure(ws.Run({"serve", "--config", config + ".missing"}), 2, "cannot read config file");
}

BOOST_AUTO_TEST_CASE(ConfigFileEnvironmentAndFlagsApplyInPrecedenceOrder) {
  Workspace ws;
  const std::string from_file = (fs::path(ws.root()) / "from-file").string();
  const std::string from_env = (fs::path(ws.root()) / "from-env").string();
  const std::string config = (fs::path(ws.root()) / "dialtone.conf").string();
  std::ofstream(config) << "data = " << from_file << "\nhttp = 127.0.0.1:0\n";

  // File only: the server uses the file's data folder and port.
  {
    ChildProcess child(kBinary, {"serve"}, {{"DIALTONE_CONFIG", config}}, ws.NewStderrPath());
    BOOST_REQUIRE(child.ReadLineContaining(kListening).has_value());
    BOOST_TEST(fs::exists(fs::path(from_file) / "admin-key.sha256"));
    child.Signal(SIGTERM);
    BOOST_TEST(*child.WaitForExit() == 0);
  }
  // The environment beats the file.
  {
    ChildProcess child(kBinary, {"serve", "--config", config}, {{"DIALTONE_DATA", from_env}}, ws.NewStderrPath());
    BOOST_REQUIRE(child.ReadLineContaining(kListening).has_value());
    BOOST_TEST(fs::exists(fs::path(from_env) / "admin-key.sha256"));
    child.Signal(SIGTERM);
    BOOST_TEST(*child.WaitForExit() == 0);
  }
  // A flag beats both.
  {
    ChildProcess child(kBinary, {"serve", "--config", config, "--data", ws.data()},
                       {{"DIALTONE_DATA", from_env}}, ws.NewStderrPath());
    BOOST_REQUIRE(child.ReadLineContaining(kListening).has_value());
    BOOST_TEST(fs::exists(fs::path(ws.data()) / "admin-key.sha256"));
    child.Signal(SIGTERM);
    BOOST_TEST(*child.WaitForExit() == 0);
  }
}

BOOST_AUTO_TEST_CASE(AnUnusableDataFolderFailsWithOneLine) {
  Workspace ws;
  const fs::path file = fs::path(ws.root()) / "plain-file";
  std::ofstream(file) << "not a folder";
  CheckCleanFailure(ws.Run({"serve", "--data", (file / "data").string(), "--http", "127.0.0.1:0"}), 1,
                    "cannot create data folder");
  CheckCleanFailure(ws.Run({"serve", "--data", file.string(), "--http", "127.0.0.1:0"}), 1,
                    "cannot create data folder");
}

BOOST_AUTO_TEST_CASE(ACorruptDataFolderFailsWithOneLine) {
  Workspace ws;
  fs::create_directories(ws.data());
  std::ofstream(fs::path(ws.data()) / "log") << "garbage where the log folder should be";
  const RunResult log_is_a_file = ws.Run({"serve", "--data", ws.data(), "--http", "127.0.0.1:0"},
                                         {{"DIALTONE_ADMIN_KEY", "k"}});
  CheckCleanFailure(log_is_a_file, 1, "log");

  Workspace damaged;
  damaged.AppendAccounts(1);
  for (const auto& entry : fs::directory_iterator(fs::path(damaged.data()) / "log")) {
    if (entry.path().filename() == "CURRENT") std::ofstream(entry.path()) << "MANIFEST-999999\n";
  }
  CheckCleanFailure(damaged.Run({"serve", "--data", damaged.data(), "--http", "127.0.0.1:0"},
                                {{"DIALTONE_ADMIN_KEY", "k"}}),
                    1, damaged.data());

  Workspace bad_key;
  fs::create_directories(bad_key.data());
  std::ofstream(fs::path(bad_key.data()) / "admin-key.sha256") << "not-a-hash\n";
  CheckCleanFailure(bad_key.Run({"serve", "--data", bad_key.data(), "--http", "127.0.0.1:0"}), 1,
                    "admin-key.sha256");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Help)

BOOST_AUTO_TEST_CASE(HelpTextsDescribeCommandsAndOptions) {
  Workspace ws;
  const RunResult main_help = ws.Run({"--help"});
  BOOST_TEST(*main_help.exit_code == 0);
  BOOST_TEST(main_help.out.find("dialtone serve") != std::string::npos);
  BOOST_TEST(main_help.out.find("events tail") != std::string::npos);
  const RunResult serve_help = ws.Run({"serve", "--help"});
  BOOST_TEST(*serve_help.exit_code == 0);
  for (const char* option : {"--data", "--http", "--config", "--durability", "--scheduler-threads",
                             "--http-threads", "DIALTONE_ADMIN_KEY"}) {
    BOOST_TEST(serve_help.out.find(option) != std::string::npos, option);
  }
  const RunResult tail_help = ws.Run({"events", "tail", "--help"});
  BOOST_TEST(*tail_help.exit_code == 0);
  BOOST_TEST(tail_help.out.find("--follow") != std::string::npos);
  const RunResult nothing = ws.Run({});
  BOOST_TEST(*nothing.exit_code == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ProjectionsRebuild)

BOOST_AUTO_TEST_CASE(RebuildFoldsTheViewAgainToTheSameContentAndAServerServesIt) {
  Workspace ws;
  const std::string key = "dta_rebuild_test_key_0123456789abcdef";
  std::string account;
  std::string before;
  {
    Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", key}});
    const HttpReply created = dialtone::testing::HttpRequest(
        server.port, "POST", "/v1/accounts", {{"x-api-key", key}, {"content-type", "application/json"}},
        R"({"name":"Acme","max_in":3})");
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
    account = ParseJson(created.body).at("id").get<std::string>();
    const HttpReply domain = dialtone::testing::HttpRequest(
        server.port, "POST", "/v1/domains",
        {{"x-api-key", key}, {"x-account-id", account}, {"content-type", "application/json"}},
        R"({"domain":"pbx.rebuild.example"})");
    BOOST_TEST_REQUIRE(domain.status == 201, domain.body);
    before = dialtone::testing::HttpRequest(server.port, "GET", "/v1/domains", {{"x-api-key", key}, {"x-account-id", account}}).body;
    BOOST_TEST(*Terminate(server) == 0);
  }
  const RunResult rebuilt = ws.Run({"projections", "rebuild", "--data", ws.data()});
  BOOST_TEST(*rebuilt.exit_code == 0, rebuilt.err);
  BOOST_TEST(rebuilt.out.find("rebuilt from position 0") != std::string::npos, rebuilt.out);
  BOOST_TEST(rebuilt.out.find("equal to the view before the rebuild") != std::string::npos, rebuilt.out);
  Server again = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", key}});
  BOOST_TEST(dialtone::testing::HttpRequest(again.port, "GET", "/v1/domains", {{"x-api-key", key}, {"x-account-id", account}}).body ==
             before);
  BOOST_TEST(*Terminate(again) == 0);
}

BOOST_AUTO_TEST_CASE(RebuildOfAFolderHeldByAServerOrWithoutALogSaysSo) {
  Workspace ws;
  CheckCleanFailure(ws.Run({"projections", "rebuild", "--data", ws.data()}), 1, "no event log");
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  CheckCleanFailure(ws.Run({"projections", "rebuild", "--data", ws.data()}), 1, "stop it first");
  BOOST_TEST(*Terminate(server) == 0);
  CheckCleanFailure(ws.Run({"projections", "replay"}), 2, "rebuild");
  CheckCleanFailure(ws.Run({"projections", "rebuild", "--colour"}), 2, "--colour");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(EventsTail)

BOOST_AUTO_TEST_CASE(TailPrintsEveryEventAsAJsonLine) {
  Workspace ws;
  ws.AppendAccounts(3);
  const RunResult result = ws.Run({"events", "tail", "--data", ws.data()});
  BOOST_TEST(*result.exit_code == 0, result.err);
  const auto lines = dialtone::testing::SplitLines(result.out);
  BOOST_REQUIRE(lines.size() == 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto event = ParseJson(lines[i]);
    BOOST_TEST(event.at("position").get<uint64_t>() == i + 1);
    BOOST_TEST(event.at("type").get<std::string>() == "account.created");
    BOOST_TEST(event.at("data").at("account_id").get<std::string>() == "acct-" + std::to_string(i + 1));
  }
}

BOOST_AUTO_TEST_CASE(TailHonoursAfterAndLimit) {
  Workspace ws;
  ws.AppendAccounts(5);
  const RunResult result = ws.Run({"events", "tail", "--data", ws.data(), "--after", "1", "--limit", "2"});
  BOOST_TEST(*result.exit_code == 0, result.err);
  const auto lines = dialtone::testing::SplitLines(result.out);
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(ParseJson(lines[0]).at("position").get<uint64_t>() == 2u);
  BOOST_TEST(ParseJson(lines[1]).at("position").get<uint64_t>() == 3u);
  const RunResult past = ws.Run({"events", "tail", "--data", ws.data(), "--after", "5"});
  BOOST_TEST(*past.exit_code == 0);
  BOOST_TEST(past.out.empty());
  CheckCleanFailure(ws.Run({"events", "tail", "--data", ws.data(), "--limit", "-3"}), 2, "--limit");
}

BOOST_AUTO_TEST_CASE(TailOfAFolderHeldByAServerSaysSo) {
  Workspace ws;
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  CheckCleanFailure(ws.Run({"events", "tail", "--data", ws.data()}), 1, "locked");
  BOOST_TEST(*Terminate(server) == 0);
}

BOOST_AUTO_TEST_CASE(TailThroughARunningServerWithUrl) {
  Workspace ws;
  ws.AppendAccounts(3);
  Server server = ws.StartServer({}, {{"DIALTONE_ADMIN_KEY", "k"}});
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port);

  const RunResult all = ws.Run({"events", "tail", "--url", url}, {{"DIALTONE_ADMIN_KEY", "k"}});
  BOOST_TEST(*all.exit_code == 0, all.err);
  const auto lines = dialtone::testing::SplitLines(all.out);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(ParseJson(lines[2]).at("data").at("account_id").get<std::string>() == "acct-3");

  const RunResult window =
      ws.Run({"events", "tail", "--url", url, "--after", "1", "--limit", "1"}, {{"DIALTONE_ADMIN_KEY", "k"}});
  BOOST_REQUIRE(dialtone::testing::SplitLines(window.out).size() == 1u);
  BOOST_TEST(ParseJson(window.out).at("position").get<uint64_t>() == 2u);

  CheckCleanFailure(ws.Run({"events", "tail", "--url", url}, {{"DIALTONE_ADMIN_KEY", "wrong"}}), 1,
                    "rejected the admin key");
  CheckCleanFailure(ws.Run({"events", "tail", "--url", url}), 2, "DIALTONE_ADMIN_KEY");
  CheckCleanFailure(ws.Run({"events", "tail", "--url", "ftp://x"}, {{"DIALTONE_ADMIN_KEY", "k"}}), 2, "invalid URL");

  ChildProcess follow(kBinary, {"events", "tail", "--url", url, "--follow"}, {{"DIALTONE_ADMIN_KEY", "k"}},
                      ws.NewStderrPath());
  for (uint64_t position = 1; position <= 3; ++position) {
    auto line = follow.ReadLine();
    BOOST_REQUIRE(line.has_value());
    BOOST_TEST(ParseJson(*line).at("position").get<uint64_t>() == position);
  }
  BOOST_TEST(follow.running());
  follow.Signal(SIGTERM);
  BOOST_TEST(*follow.WaitForExit() == 0);
  BOOST_TEST(*Terminate(server) == 0);

  // No server: a clear failure, not a hang.
  CheckCleanFailure(ws.Run({"events", "tail", "--url", url}, {{"DIALTONE_ADMIN_KEY", "k"}}), 1, "cannot connect");
}

BOOST_AUTO_TEST_CASE(TailOfAFolderWithoutALogSaysSo) {
  Workspace ws;
  CheckCleanFailure(ws.Run({"events", "tail", "--data", ws.data()}), 1, "no event log");
  BOOST_TEST(!fs::exists(ws.data()));
}

// Live delivery of appends made while tail runs is covered in-process
// (app_unit_test: FollowPrintsEventsAppendedAfterItStarted): the folder's lock lets no
// other process append while tail holds it.
BOOST_AUTO_TEST_CASE(FollowPrintsTheBacklogThenRunsUntilSigterm) {
  Workspace ws;
  ws.AppendAccounts(2);
  ChildProcess tail(kBinary, {"events", "tail", "--data", ws.data(), "--follow"}, {}, ws.NewStderrPath());
  auto first = tail.ReadLine();
  auto second = tail.ReadLine();
  BOOST_REQUIRE(first.has_value());
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(ParseJson(*first).at("position").get<uint64_t>() == 1u);
  BOOST_TEST(ParseJson(*second).at("position").get<uint64_t>() == 2u);
  BOOST_TEST(tail.running());
  tail.Signal(SIGTERM);
  BOOST_TEST(*tail.WaitForExit() == 0);
}

BOOST_AUTO_TEST_CASE(FollowWithALimitExitsOnceItIsReached) {
  Workspace ws;
  ws.AppendAccounts(3);
  const RunResult result = ws.Run({"events", "tail", "--data", ws.data(), "--follow", "--limit", "2"});
  BOOST_TEST(*result.exit_code == 0);
  BOOST_TEST(dialtone::testing::SplitLines(result.out).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
