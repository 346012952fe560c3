#include "v1_test_support.h"

#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include "app/config.h"

namespace dialtone::v1test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "dialtone-v1-XXXXXX").string();
  BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Node::Node(std::string data_dir) : data_dir_(std::move(data_dir)) {
  auto announced = std::make_shared<std::promise<uint16_t>>();
  auto ready = announced->get_future();
  std::promise<Status> done;
  finished_ = done.get_future();
  thread_ = std::thread([this, announced, done = std::move(done)]() mutable {
    app::ServeConfig config;
    config.data_dir = data_dir_;
    config.http_host = "127.0.0.1";
    config.http_port = 0;
    config.durability = store::Durability::kAsync;
    config.scheduler_threads = 2;
    config.http_threads = 2;
    app::ServeEnvironment environment;
    environment.admin_key = std::string(kAdminKey);
    bool announced_port = false;
    environment.announce = [&](std::string_view line) {
      constexpr std::string_view kPrefix = "listening on http://";
      if (line.substr(0, kPrefix.size()) != kPrefix) return;
      const std::string address(line.substr(kPrefix.size()));
      announced->set_value(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
      announced_port = true;
    };
    Status status = app::Serve(config, environment, stop_);
    if (!announced_port) announced->set_value(0);
    done.set_value(std::move(status));
  });
  if (ready.wait_for(kStartTimeout) == std::future_status::ready) port_ = ready.get();
}

Node::~Node() { Stop(); }

Status Node::Stop() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  stop_.Request();
  if (finished_.wait_for(kStartTimeout) != std::future_status::ready) {
    BOOST_FAIL("dialtone serve did not stop within " << kStartTimeout.count() << " s");
  }
  thread_.join();
  return finished_.get();
}

Json BodyOf(const HttpReply& reply) {
  Json parsed = Json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded()) return Json(reply.body);
  return parsed;
}

HttpReply CallRaw(uint16_t port, const std::string& method, const std::string& target,
                  const Headers& headers, const std::string& body) {
  return testing::HttpRequest(port, method, target, headers, body);
}

HttpReply Call(uint16_t port, const std::string& method, const std::string& target,
               const Headers& headers, const Json& body) {
  if (body.is_null()) return CallRaw(port, method, target, headers, "");
  return CallRaw(port, method, target, With(headers, "content-type", "application/json"), body.dump());
}

Headers Admin(const std::string& account_id) {
  Headers h = {{"x-api-key", kAdminKey}};
  if (!account_id.empty()) h.emplace_back("x-account-id", account_id);
  return h;
}

Headers Key(const std::string& key, const std::string& account_id) {
  Headers h = {{"authorization", "Bearer " + key}};
  if (!account_id.empty()) h.emplace_back("x-account-id", account_id);
  return h;
}

Headers With(Headers base, const std::string& name, const std::string& value) {
  base.emplace_back(name, value);
  return base;
}

Tenant MakeTenant(uint16_t port, const std::string& name, Json fields) {
  fields["name"] = name;
  const HttpReply created = Call(port, "POST", "/v1/accounts", Admin(), fields);
  BOOST_TEST_REQUIRE(created.status == 201, "create account: " << created.status << " " << created.body);
  Tenant tenant;
  tenant.account_id = BodyOf(created)["id"].get<std::string>();
  const HttpReply minted =
      Call(port, "POST", "/v1/accounts/" + tenant.account_id + "/api-keys", Admin(), Json{{"label", "test"}});
  BOOST_TEST_REQUIRE(minted.status == 201, "mint key: " << minted.status << " " << minted.body);
  tenant.key = BodyOf(minted)["key"].get<std::string>();
  return tenant;
}

std::string CreateId(uint16_t port, const Headers& who, const std::string& collection, const Json& body) {
  const HttpReply reply = Call(port, "POST", collection, who, body);
  BOOST_TEST_REQUIRE(reply.status == 201, "POST " << collection << ": " << reply.status << " " << reply.body);
  return BodyOf(reply)["id"].get<std::string>();
}

}  // namespace dialtone::v1test
