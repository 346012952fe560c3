// A real `dialtone serve` (app::Serve) running in-process on a temporary data folder, and
// small JSON helpers for black-box tests of the /v1 API through HTTP.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/serve.h"
#include "app/stop_signal.h"
#include "common/status.h"
#include "http_client.h"

namespace dialtone::v1test {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using testing::HttpReply;

inline constexpr const char* kAdminKey = "dta_00000000000000000000000000v1test";
inline constexpr std::chrono::seconds kStartTimeout{30};

// A fresh temporary folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// app::Serve on `data_dir` with the fixed admin key, on a free port.
class Node {
 public:
  explicit Node(std::string data_dir);
  ~Node();  // Stop()
  // True once the server announced its address (bounded by kStartTimeout).
  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // Requests the stop and returns Serve's status (bounded: a hang fails the test).
  Status Stop();

 private:
  std::string data_dir_;
  app::StopSignal stop_;
  std::thread thread_;
  std::future<Status> finished_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

// The parsed body, or a JSON string holding the raw text when it is not JSON.
Json BodyOf(const HttpReply& reply);

// Requests with a JSON body (content-type set when `body` is not discarded/null).
HttpReply Call(uint16_t port, const std::string& method, const std::string& target,
               const Headers& headers = {}, const Json& body = Json());
HttpReply CallRaw(uint16_t port, const std::string& method, const std::string& target,
                  const Headers& headers, const std::string& body);

Headers Admin(const std::string& account_id = "");
Headers Key(const std::string& key, const std::string& account_id = "");
Headers With(Headers base, const std::string& name, const std::string& value);

// A tenant made through the API by the admin: an account and a `*` key.
struct Tenant {
  std::string account_id;
  std::string key;
};
// Creates an account (extra fields from `fields`) and mints a key. Failures are reported
// through the returned empty ids (tests check them with BOOST_REQUIRE).
Tenant MakeTenant(uint16_t port, const std::string& name, Json fields = Json::object());
// POSTs `body` and returns the created document's id ("" on failure).
std::string CreateId(uint16_t port, const Headers& who, const std::string& collection, const Json& body);

}  // namespace dialtone::v1test
