// The HTTP server and router of gateway/, in-process.
#define BOOST_TEST_MODULE gateway
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/access_token.h"
#include "gateway/admin_auth.h"
#include "gateway/dialect.h"
#include "gateway/http_client.h"
#include "gateway/http_server.h"
#include "gateway/multipart.h"
#include "gateway/router.h"
#include "http_client.h"
#include "test_printers.h"

using namespace dialtone::gateway;
using dialtone::testing::FormatRequest;
using dialtone::testing::HttpConnection;
using dialtone::testing::HttpGet;
using dialtone::testing::HttpReply;

namespace {

// Captures what a handler sends.
class CapturingSink : public Responder::Sink {
 public:
  void Complete(Response response) override {
    responses.push_back(std::move(response));
  }
  std::vector<Response> responses;
};

// Runs `router` on a request and returns the single response.
Response Route(const Router& router, const std::string& method, const std::string& target) {
  Request request;
  request.method = method;
  request.target = target;
  const size_t q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query_string = target.substr(q + 1);
  request.request_id = "rid-1";
  auto sink = std::make_shared<CapturingSink>();
  router.Handle(std::move(request), Responder(sink));
  BOOST_REQUIRE_EQUAL(sink->responses.size(), 1u);
  return sink->responses[0];
}

Handler Reply(std::string body) {
  return [body](Request, Responder responder) { responder.Send(Response::Text(200, body)); };
}

// Echoes path and query parameters as JSON.
Handler EchoParams() {
  return [](Request request, Responder responder) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : request.path_params) j["path"][k] = v;
    for (const auto& [k, v] : request.query) j["query"][k] = v;
    responder.Send(Response::Json(200, j.dump()));
  };
}

nlohmann::json Json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " + text);
  return j;
}

// POSTs `body` the way curl does with Expect: 100-continue: the head alone, the interim
// `100 Continue` required before the body is sent, then the final reply.
HttpReply PostAfterContinue(uint16_t port, const std::string& target, const std::string& body) {
  HttpConnection connection(port);
  BOOST_REQUIRE(connection.SendRaw("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  BOOST_TEST_REQUIRE(connection.ReadReply().status == 100);
  BOOST_REQUIRE(connection.SendRaw(body));
  return connection.ReadReply();
}

struct TestServer {
  explicit TestServer(Handler handler, HttpServerOptions options = {}) {
    options.port = 0;
    if (!options.access_log) {
      options.access_log = [this](const AccessLogEntry& e) {
        std::lock_guard lock(mu);
        log_lines.push_back(FormatAccessLogLine(e));
        cv.notify_all();
      };
    }
    auto started = HttpServer::Start(std::move(options), std::move(handler));
    BOOST_REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    server = std::move(*started);
  }
  uint16_t port() const { return server->port(); }
  // Waits (bounded) for `n` access-log lines.
  std::vector<std::string> WaitForLogLines(size_t n) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return log_lines.size() >= n; });
    return log_lines;
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> log_lines;
  std::unique_ptr<HttpServer> server;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(RouterTests)

BOOST_AUTO_TEST_CASE(UnknownPathIs404InTheJsonErrorShape) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/a", Reply("a")).ok());
  const Response r = Route(router, "GET", "/b");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(r.headers.Get("content-type").value_or("") == "application/json");
  const auto body = Json(r.body);
  BOOST_TEST(body["error"]["code"] == "NOT_FOUND");
  BOOST_TEST(body["error"]["request_id"] == "rid-1");
  BOOST_TEST(!body["error"]["message"].get<std::string>().empty());
}

BOOST_AUTO_TEST_CASE(WrongMethodIs405WithAllowListingThePathsMethods) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/items/{id}", Reply("get")).ok());
  BOOST_REQUIRE(router.Add("DELETE", "/items/{id}", Reply("delete")).ok());
  BOOST_REQUIRE(router.Add("POST", "/items", Reply("post")).ok());
  const Response r = Route(router, "PUT", "/items/7");
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers.Get("allow").value_or("") == "DELETE, GET");
  BOOST_TEST(Json(r.body)["error"]["code"] == "METHOD_NOT_ALLOWED");
  BOOST_TEST(Route(router, "DELETE", "/items/7").body == "delete");
}

BOOST_AUTO_TEST_CASE(PathParamsAreMatchedAndDecoded) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/accounts/{account}/users/{user}", EchoParams()).ok());
  const Response r = Route(router, "GET", "/accounts/a%201/users/u%2Fx");
  BOOST_TEST(r.status == 200);
  const auto body = Json(r.body);
  BOOST_TEST(body["path"]["account"] == "a 1");
  BOOST_TEST(body["path"]["user"] == "u/x");
  BOOST_TEST(Route(router, "GET", "/accounts/a/users").status == 404);
  BOOST_TEST(Route(router, "GET", "/accounts//users/u").status == 404);
}

BOOST_AUTO_TEST_CASE(LiteralSegmentsWinOverParameters) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/items/{id}", Reply("param")).ok());
  BOOST_REQUIRE(router.Add("GET", "/items/special", Reply("literal")).ok());
  BOOST_TEST(Route(router, "GET", "/items/special").body == "literal");
  BOOST_TEST(Route(router, "GET", "/items/other").body == "param");
}

BOOST_AUTO_TEST_CASE(QueryParametersAreDecoded) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/q", EchoParams()).ok());
  const auto body = Json(Route(router, "GET", "/q?a=1&b=x+y%21&empty=&flag").body);
  BOOST_TEST(body["query"]["a"] == "1");
  BOOST_TEST(body["query"]["b"] == "x y!");
  BOOST_TEST(body["query"]["empty"] == "");
  BOOST_TEST(body["query"]["flag"] == "");
}

BOOST_AUTO_TEST_CASE(MalformedQueryEncodingIs400) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/q", EchoParams()).ok());
  const Response r = Route(router, "GET", "/q?a=%4");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(Json(r.body)["error"]["code"] == "BAD_REQUEST");
}

BOOST_AUTO_TEST_CASE(BadPatternsAndDuplicateRoutesAreRejected) {
  Router router;
  BOOST_TEST(router.Add("GET", "no-slash", Reply("")).code() == dialtone::ErrorCode::kInvalidArgument);
  BOOST_TEST(router.Add("GET", "/a//b", Reply("")).code() == dialtone::ErrorCode::kInvalidArgument);
  BOOST_TEST(router.Add("GET", "/a/{}", Reply("")).code() == dialtone::ErrorCode::kInvalidArgument);
  BOOST_TEST(router.Add("GET", "/a/{x", Reply("")).code() == dialtone::ErrorCode::kInvalidArgument);
  BOOST_TEST(router.Add("", "/a", Reply("")).code() == dialtone::ErrorCode::kInvalidArgument);
  BOOST_REQUIRE(router.Add("GET", "/a/{x}", Reply("")).ok());
  BOOST_TEST(router.Add("GET", "/a/{y}", Reply("")).code() == dialtone::ErrorCode::kAlreadyExists);
  BOOST_TEST(router.Add("POST", "/a/{y}", Reply("")).ok());
}

BOOST_AUTO_TEST_CASE(AMountedRouterAnswersItsPrefixInItsOwnErrorShape) {
  auto dialect = std::make_shared<Router>();
  BOOST_REQUIRE(dialect->Add("GET", "/things/{id}", EchoParams()).ok());
  dialect->SetErrorRenderer([](const Request&, int status, std::string_view code, std::string_view) {
    return Response::Json(status, R"({"dialect_error":")" + std::string(code) + "\"}");
  });
  Router root;
  BOOST_REQUIRE(root.Add("GET", "/healthz", Reply("ok")).ok());
  BOOST_REQUIRE(root.Mount("/est/v1", dialect).ok());

  BOOST_TEST(Json(Route(root, "GET", "/est/v1/things/9").body)["path"]["id"] == "9");
  const Response missing = Route(root, "GET", "/est/v1/nothing");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(Json(missing.body)["dialect_error"] == "NOT_FOUND");
  BOOST_TEST(Json(Route(root, "GET", "/elsewhere").body)["error"]["code"] == "NOT_FOUND");
  BOOST_TEST(Route(root, "GET", "/healthz").body == "ok");
  const Response bad_query = Route(root, "GET", "/est/v1/things/9?a=%4");
  BOOST_TEST(bad_query.status == 400);
  BOOST_TEST(Json(bad_query.body)["dialect_error"] == "BAD_REQUEST");
}

// A route group of a test dialect: GET /things/{id} and its description.
class ThingRoutes final : public RouteGroup {
 public:
  dialtone::Status AddRoutes(Router& router) override { return router.Add("GET", "/things/{id}", Reply("thing")); }
  void DescribeRoutes(RouteDocument& document) const override {
    document.paths["/things/{id}"]["get"] = {{"operationId", "get_thing"}};
    document.schemas["Thing"] = {{"type", "object"}};
  }
};

BOOST_AUTO_TEST_CASE(ADialectServesItsGroupsUnderItsPrefixWithItsErrorShapeAndDocument) {
  DialectOptions options;
  options.prefix = "/api/v2";
  options.error_shape = [](const Request& request, const ApiError& error) {
    return Response::Json(error.status,
                          nlohmann::json{{"shape", "test"}, {"code", error.code}, {"rid", request.request_id}}.dump());
  };
  options.document = {{"openapi", "3.1.0"}, {"paths", {{"/api/v2/openapi.json", {{"get", {{"operationId", "doc"}}}}}}}};
  Dialect dialect(std::move(options));
  ThingRoutes things;
  dialect.Add(things);
  Router root;
  BOOST_REQUIRE(dialect.Mount(root).ok());

  BOOST_TEST(Route(root, "GET", "/api/v2/things/1").body == "thing");
  BOOST_TEST(Route(root, "GET", "/things/1").status == 404);  // only under the prefix
  const Response missing = Route(root, "GET", "/api/v2/nothing");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(Json(missing.body)["shape"] == "test");
  BOOST_TEST(Json(missing.body)["rid"] == "rid-1");
  const Response wrong_method = Route(root, "DELETE", "/api/v2/things/1");
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(Json(wrong_method.body)["code"] == "METHOD_NOT_ALLOWED");

  const Response doc = Route(root, "GET", "/api/v2/openapi.json");
  BOOST_TEST(doc.status == 200);
  const nlohmann::json document = Json(doc.body);
  BOOST_TEST(document == dialect.OpenApiDocument());
  BOOST_TEST(document["paths"]["/api/v2/things/{id}"]["get"]["operationId"] == "get_thing");
  BOOST_TEST(document["paths"].contains("/api/v2/openapi.json"));  // the base's own path kept
  BOOST_TEST(document["components"]["schemas"]["Thing"]["type"] == "object");
}

BOOST_AUTO_TEST_CASE(AccessTokensNeedTheDeploymentKeyWhichOnlyAMintCreates) {
  int creates = 0;
  std::optional<std::string> stored;
  AccessTokens tokens([&](bool create) -> dialtone::Result<std::optional<std::string>> {
    if (!stored && create) {
      ++creates;
      stored = std::string(32, 'q');
    }
    return stored;
  });
  TokenClaims claims{"0123456789abcdef", "acc_1", {"config", "cdr"}, 100, 200};
  const std::string forged = AccessTokens::WithKey(std::string(32, 'q')).Mint(claims).value();
  // Before any mint there is no key: nothing verifies, and nothing was created.
  BOOST_TEST((tokens.Verify(forged, 150).error().kind == TokenError::Kind::kBadSignature));
  BOOST_TEST(creates == 0);
  const std::string token = tokens.Mint(claims).value();
  BOOST_TEST(creates == 1);
  auto verified = tokens.Verify(token, 150);
  BOOST_REQUIRE(verified.ok());
  BOOST_TEST(verified->key_id == "0123456789abcdef");
  BOOST_TEST(verified->account_id == "acc_1");
  BOOST_TEST((verified->scopes == std::vector<std::string>{"config", "cdr"}));
  BOOST_TEST((tokens.Verify(token, 200).error().kind == TokenError::Kind::kExpired));
  BOOST_TEST((tokens.Verify("a.b", 150).error().kind == TokenError::Kind::kMalformed));
  BOOST_TEST(AccessTokens::LooksLikeToken(token));
  BOOST_TEST(!AccessTokens::LooksLikeToken("dtk_0123456789abcdef_" + std::string(64, 'a')));
}

// Parses `body` with the multipart parser fed `step` bytes at a time; returns each part as
// "name|filename|type|bytes" and whether parsing and Finish succeeded.
std::pair<std::vector<std::string>, bool> ParseMultipart(const std::string& body, size_t step,
                                                          std::string* error = nullptr) {
  std::vector<std::string> parts;
  std::string current;
  MultipartParser::Handler handler;
  handler.begin = [&](const MultipartPart& part, std::string*) {
    current = part.name + "|" + part.filename.value_or("-") + "|" + part.content_type + "|";
    return true;
  };
  handler.data = [&](std::string_view bytes, std::string*) {
    current += bytes;
    return true;
  };
  handler.end = [&](std::string*) {
    parts.push_back(current);
    return true;
  };
  MultipartParser parser("XyZ", handler);
  bool ok = true;
  for (size_t i = 0; i < body.size() && ok; i += step) ok = parser.Write(std::string_view(body).substr(i, step));
  ok = ok && parser.Finish();
  if (error) *error = parser.error();
  return {parts, ok};
}

BOOST_AUTO_TEST_CASE(MultipartPartsAreHandedOverWhateverTheChunkBoundaries) {
  const std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nprompt\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"c\\\".wav\"\r\n"
      "Content-Type: audio/wav\r\n\r\nRIFF\r\n--XyY not yet\r\n--XyZ--\r\nepilogue";
  for (size_t step : {1, 2, 3, 7, 64, 4096}) {
    auto [parts, ok] = ParseMultipart(body, step);
    BOOST_TEST(ok, "step " << step);
    BOOST_TEST_REQUIRE(parts.size() == 2u, "step " << step);
    BOOST_TEST(parts[0] == "kind|-||prompt");
    BOOST_TEST(parts[1] == "file|a;b \"c\".wav|audio/wav|RIFF\r\n--XyY not yet");
  }
  BOOST_TEST(MultipartParser::BoundaryOf("multipart/form-data; boundary=\"XyZ\"").value_or("") == "XyZ");
  BOOST_TEST(MultipartParser::BoundaryOf("Multipart/Form-Data;boundary=abc").value_or("") == "abc");
  BOOST_TEST(!MultipartParser::BoundaryOf("multipart/form-data").has_value());
  BOOST_TEST(!MultipartParser::BoundaryOf("application/json; boundary=x").has_value());
  BOOST_TEST(!MultipartParser::BoundaryOf("multipart/form-data; boundary=" + std::string(71, 'b')).has_value());
}

BOOST_AUTO_TEST_CASE(TruncatedOrMalformedMultipartIsRefused) {
  std::string error;
  const std::string head = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nbytes";
  BOOST_TEST(!ParseMultipart(head, 5, &error).second);  // no closing boundary
  BOOST_TEST(error.find("closing boundary") != std::string::npos, error);
  BOOST_TEST(!ParseMultipart("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", 4, &error).second);
  BOOST_TEST(error.find("Content-Disposition") != std::string::npos, error);
  BOOST_TEST(!ParseMultipart("--XyZ\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--XyZ--", 4, &error).second);
  BOOST_TEST(!ParseMultipart("--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--XyZ--", 4, &error).second);
  BOOST_TEST(!ParseMultipart("no boundary at all", 3, &error).second);
}

BOOST_AUTO_TEST_CASE(ADroppedResponderAnswers500) {
  auto sink = std::make_shared<CapturingSink>();
  { Responder responder(sink); }
  BOOST_REQUIRE_EQUAL(sink->responses.size(), 1u);
  BOOST_TEST(sink->responses[0].status == 500);
  Responder sent(sink);
  sent.Send(Response::Text(200, "x"));
  sent.Send(Response::Text(201, "ignored"));
  BOOST_TEST(sink->responses.size() == 2u);
  BOOST_TEST(!sent.pending());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(AdminAuth)

BOOST_AUTO_TEST_CASE(KeysArePresentedByHeaderOrBearerAndCompareByHash) {
  const AdminKey key = AdminKey::FromSecret("s3cret");
  Request request;
  BOOST_TEST(!IsAuthorizedAdmin(request, key));
  request.headers.Set("X-Api-Key", "s3cret");
  BOOST_TEST(IsAuthorizedAdmin(request, key));
  request = Request{};
  request.headers.Set("Authorization", "bearer s3cret");
  BOOST_TEST(IsAuthorizedAdmin(request, key));
  request.headers.Set("Authorization", "Basic s3cret");
  BOOST_TEST(!IsAuthorizedAdmin(request, key));
  request.headers.Set("Authorization", "Bearer s3cre");
  BOOST_TEST(!IsAuthorizedAdmin(request, key));

  auto reloaded = AdminKey::FromHashHex(key.HashHex());
  BOOST_REQUIRE(reloaded.ok());
  BOOST_TEST(reloaded->Matches("s3cret"));
  BOOST_TEST(AdminKey::FromHashHex("abc").status().code() == dialtone::ErrorCode::kCorruption);
  BOOST_TEST(AdminKey::FromHashHex(std::string(64, 'g')).status().code() == dialtone::ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(GeneratedSecretsArePrefixedHexAndDistinct) {
  auto a = GenerateAdminSecret();
  auto b = GenerateAdminSecret();
  BOOST_REQUIRE(a.ok() && b.ok());
  BOOST_TEST(a->size() == 36u);
  BOOST_TEST(a->rfind("dta_", 0) == 0u);
  BOOST_TEST(a->find_first_not_of("0123456789abcdef", 4) == std::string::npos);
  BOOST_TEST(*a != *b);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Client)

BOOST_AUTO_TEST_CASE(UrlsParseIntoHostPortAndBasePath) {
  auto plain = ParseHttpUrl("http://127.0.0.1:8080");
  BOOST_REQUIRE(plain.ok());
  BOOST_TEST(plain->host == "127.0.0.1");
  BOOST_TEST(plain->port == 8080);
  BOOST_TEST(plain->base_path == "");
  auto based = ParseHttpUrl("http://[::1]:90/api/");
  BOOST_REQUIRE(based.ok());
  BOOST_TEST(based->host == "::1");
  BOOST_TEST(based->base_path == "/api");
  BOOST_TEST(ParseHttpUrl("http://example").value().port == 80);
  for (const char* bad : {"https://h:1", "h:1", "http://:1", "http://h:0", "http://h:x", "http://h:1?q", "http://h:"}) {
    BOOST_TEST(!ParseHttpUrl(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(FetchReturnsStatusHeadersAndBodyOrAnError) {
  Router router;
  BOOST_REQUIRE(router.Add("POST", "/echo", [](Request r, Responder responder) {
    Response response = Response::Text(202, r.body + "|" + std::string(r.headers.Get("x-in").value_or("")));
    response.headers.Set("x-out", "yes");
    responder.Send(std::move(response));
  }).ok());
  TestServer server(router.AsHandler());
  ClientRequest request;
  request.method = "POST";
  request.target = "/echo";
  request.headers.Set("x-in", "hdr");
  request.body = "body";
  auto response = HttpFetch("127.0.0.1", server.port(), request, std::chrono::seconds(10));
  BOOST_REQUIRE_MESSAGE(response.ok(), response.status().ToString());
  BOOST_TEST(response->status == 202);
  BOOST_TEST(response->body == "body|hdr");
  BOOST_TEST(response->headers.Get("x-out").value_or("") == "yes");

  const uint16_t port = server.port();
  server.server->Stop();
  auto refused = HttpFetch("127.0.0.1", port, request, std::chrono::seconds(10));
  BOOST_TEST(refused.status().code() == dialtone::ErrorCode::kUnavailable);
}

BOOST_AUTO_TEST_CASE(FetchGivesUpAfterItsTimeout) {
  std::promise<Responder> parked;
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/stuck", [&](Request, Responder responder) {
    parked.set_value(std::move(responder));
  }).ok());
  TestServer server(router.AsHandler());
  ClientRequest request;
  request.target = "/stuck";
  auto response = HttpFetch("127.0.0.1", server.port(), request, std::chrono::milliseconds(200));
  BOOST_TEST(response.status().code() == dialtone::ErrorCode::kUnavailable);
  BOOST_TEST(response.status().message().find("timed out") != std::string::npos);
  parked.get_future().get().Send(Response::Text(200, "late"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Server)

BOOST_AUTO_TEST_CASE(EveryResponseCarriesARequestIdGeneratedOrEchoed) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/x", Reply("x")).ok());
  TestServer server(router.AsHandler());
  const HttpReply generated = HttpGet(server.port(), "/x");
  BOOST_TEST(generated.status == 200);
  BOOST_TEST(!generated.Header("x-request-id").empty());
  BOOST_TEST(HttpGet(server.port(), "/x", {{"X-Request-Id", "abc-123"}}).Header("x-request-id") == "abc-123");
  const HttpReply not_found = HttpGet(server.port(), "/missing", {{"x-request-id", "nf-1"}});
  BOOST_TEST(not_found.status == 404);
  BOOST_TEST(Json(not_found.body)["error"]["request_id"] == "nf-1");
}

BOOST_AUTO_TEST_CASE(KeepAliveServesRequestsInOrderOnOneConnection) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/n/{n}", [](Request r, Responder responder) {
    responder.Send(Response::Text(200, std::string(*r.PathParam("n"))));
  }).ok());
  TestServer server(router.AsHandler());
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.connected());
  // Pipelined: both requests sent before any reply is read.
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/n/1", {}, "", true) +
                                   FormatRequest("GET", "/n/2", {}, "", true)));
  BOOST_TEST(connection.ReadReply().body == "1");
  BOOST_TEST(connection.ReadReply().body == "2");
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/n/3", {}, "", false)));
  BOOST_TEST(connection.ReadReply().body == "3");
  BOOST_TEST(connection.WaitForClose());
}

BOOST_AUTO_TEST_CASE(HandlersReceiveMethodHeadersAndBody) {
  Router router;
  BOOST_REQUIRE(router.Add("POST", "/echo", [](Request r, Responder responder) {
    responder.Send(Response::Text(201, r.method + "|" + std::string(r.headers.Get("x-thing").value_or("")) +
                                           "|" + r.body));
  }).ok());
  TestServer server(router.AsHandler());
  const HttpReply reply =
      dialtone::testing::HttpRequest(server.port(), "POST", "/echo", {{"X-Thing", "v"}}, "payload");
  BOOST_TEST(reply.status == 201);
  BOOST_TEST(reply.body == "POST|v|payload");
}

BOOST_AUTO_TEST_CASE(ABodyOverTheLimitIs413) {
  Router router;
  BOOST_REQUIRE(router.Add("POST", "/echo", Reply("ok")).ok());
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  TestServer server(router.AsHandler(), options);
  BOOST_TEST(dialtone::testing::HttpRequest(server.port(), "POST", "/echo", {}, std::string(1024, 'a')).status == 200);
  const HttpReply big =
      dialtone::testing::HttpRequest(server.port(), "POST", "/echo", {}, std::string(1025, 'a'));
  BOOST_TEST(big.status == 413);
  BOOST_TEST(Json(big.body)["error"]["code"] == "PAYLOAD_TOO_LARGE");
  // Declared too large: rejected from the header alone, before any body byte is sent.
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
  BOOST_TEST(connection.ReadReply().status == 413);
}

BOOST_AUTO_TEST_CASE(HeadersOverTheLimitAre431) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/x", Reply("x")).ok());
  TestServer server(router.AsHandler());  // default 16 KiB
  const HttpReply big = HttpGet(server.port(), "/x", {{"x-big", std::string(20 * 1024, 'h')}});
  BOOST_TEST(big.status == 431);
  BOOST_TEST(Json(big.body)["error"]["code"] == "HEADERS_TOO_LARGE");
  BOOST_TEST(HttpGet(server.port(), "/x", {{"x-small", std::string(1024, 'h')}}).status == 200);
}

BOOST_AUTO_TEST_CASE(AMalformedRequestIs400) {
  Router router;
  TestServer server(router.AsHandler());
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw("GARBAGE\x01 / HTTP/1.1\r\n\r\n"));
  const HttpReply reply = connection.ReadReply();
  BOOST_TEST(reply.status == 400);
  BOOST_TEST(connection.WaitForClose());
}

BOOST_AUTO_TEST_CASE(AHandlerMayReplyLaterFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mu;
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/later", [&](Request r, Responder responder) {
    std::lock_guard lock(mu);
    workers.emplace_back([r = std::move(r), responder = std::move(responder)]() mutable {
      responder.Send(Response::Text(200, "later:" + r.request_id));
    });
  }).ok());
  TestServer server(router.AsHandler());
  const HttpReply reply = HttpGet(server.port(), "/later", {{"x-request-id", "r9"}});
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "later:r9");
  server.server->Stop();
  for (auto& t : workers) t.join();
}

BOOST_AUTO_TEST_CASE(AHandlerThatNeverRepliesGets503AfterTheRequestTimeout) {
  std::promise<Responder> parked;
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/stuck", [&](Request, Responder responder) {
    parked.set_value(std::move(responder));  // kept, never answered in time
  }).ok());
  HttpServerOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  TestServer server(router.AsHandler(), options);
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/stuck", {}, "", true)));
  const HttpReply reply = connection.ReadReply();
  BOOST_TEST(reply.status == 503);
  BOOST_TEST(Json(reply.body)["error"]["code"] == "TIMEOUT");
  BOOST_TEST(connection.WaitForClose());
  Responder late = parked.get_future().get();
  late.Send(Response::Text(200, "too late"));  // ignored, no crash
}

BOOST_AUTO_TEST_CASE(AnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/x", Reply("x")).ok());
  HttpServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  TestServer server(router.AsHandler(), options);
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/x", {}, "", true)));
  BOOST_TEST(connection.ReadReply().status == 200);
  BOOST_TEST(connection.WaitForClose());
}

BOOST_AUTO_TEST_CASE(EachRequestGetsOneAccessLogEntry) {
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/x", Reply("hello")).ok());
  TestServer server(router.AsHandler());
  BOOST_REQUIRE(HttpGet(server.port(), "/x?q=1", {{"x-request-id", "log-1"}}).status == 200);
  BOOST_REQUIRE(HttpGet(server.port(), "/y", {{"x-request-id", "log-2"}}).status == 404);
  auto lines = server.WaitForLogLines(2);
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  std::sort(lines.begin(), lines.end());  // two connections: their entries may interleave
  BOOST_TEST(lines[0].find("http GET /x?q=1 200 5B ") == 0u, lines[0]);
  BOOST_TEST(lines[0].find("id=log-1") != std::string::npos);
  BOOST_TEST(lines[1].find("http GET /y 404 ") == 0u, lines[1]);
  BOOST_TEST(lines[1].find("id=log-2") != std::string::npos);
  BOOST_TEST(server.server->metrics().requests.value() == 2u);
  BOOST_TEST(server.server->metrics().responses_by_class[1].value() == 1u);
  BOOST_TEST(server.server->metrics().responses_by_class[3].value() == 1u);
}

BOOST_AUTO_TEST_CASE(StopLetsAnInFlightRequestFinish) {
  std::promise<Responder> parked;
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/slow", [&](Request, Responder responder) {
    parked.set_value(std::move(responder));
  }).ok());
  TestServer server(router.AsHandler());
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/slow", {}, "", true)));
  Responder responder = parked.get_future().get();  // the request is in the handler
  std::thread stopper([&] { server.server->Stop(); });
  responder.Send(Response::Text(200, "finished"));
  const HttpReply reply = connection.ReadReply();
  stopper.join();
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "finished");
  BOOST_TEST(connection.WaitForClose());
  BOOST_TEST(!HttpConnection(server.port()).connected());  // no longer accepting
}

BOOST_AUTO_TEST_CASE(AHandlerThatNeverRepliesDuringStopStillGets503) {
  std::promise<Responder> parked;
  Router router;
  BOOST_REQUIRE(router.Add("GET", "/stuck", [&](Request, Responder responder) {
    parked.set_value(std::move(responder));  // never answered
  }).ok());
  HttpServerOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  options.drain_timeout = std::chrono::milliseconds(10'000);
  TestServer server(router.AsHandler(), options);
  HttpConnection connection(server.port());
  BOOST_REQUIRE(connection.SendRaw(FormatRequest("GET", "/stuck", {}, "", true)));
  Responder kept = parked.get_future().get();
  std::thread stopper([&] { server.server->Stop(); });
  // The deadline sweep keeps running through the drain: the request times out, the
  // session ends, and Stop() returns without waiting out the whole drain timeout.
  const HttpReply reply = connection.ReadReply();
  stopper.join();
  BOOST_TEST(reply.status == 503);
  BOOST_TEST(Json(reply.body)["error"]["code"] == "TIMEOUT");
  kept.Send(Response::Text(200, "after stop"));  // ignored, no crash
}

BOOST_AUTO_TEST_CASE(ExpectContinueGetsAnInterimResponseBeforeTheBodyIsSent) {
  Router router;
  BOOST_REQUIRE(router.Add("POST", "/echo", [](Request r, Responder responder) {
    responder.Send(Response::Text(200, r.body));
  }).ok());
  TestServer server(router.AsHandler());
  const HttpReply reply = PostAfterContinue(server.port(), "/echo", "hello");
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "hello");
}

BOOST_AUTO_TEST_CASE(AnAddressInUseIsBusyAndNothingListens) {
  Router router;
  TestServer first(router.AsHandler());
  HttpServerOptions options;
  options.port = first.port();
  auto second = HttpServer::Start(options, router.AsHandler());
  BOOST_TEST(second.status().code() == dialtone::ErrorCode::kBusy);
  BOOST_TEST(second.status().message().find("in use") != std::string::npos);
  options.host = "not a host name";
  BOOST_TEST(HttpServer::Start(options, router.AsHandler()).status().code() == dialtone::ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(StreamedBodies)

// Counts what streams in; refuses beyond `refuse_after` bytes when set.
class CountingBody final : public StreamedBody {
 public:
  explicit CountingBody(size_t refuse_after = SIZE_MAX) : refuse_after_(refuse_after) {}
  bool Write(std::string_view chunk) override {
    bytes += chunk.size();
    ++chunks;
    for (unsigned char c : chunk) checksum = checksum * 31 + c;
    return bytes <= refuse_after_;
  }
  Response Refusal() const override { return Response::Text(415, "refused after " + std::to_string(bytes)); }
  size_t bytes = 0;
  size_t chunks = 0;
  uint64_t checksum = 0;

 private:
  size_t refuse_after_;
};

// Streams POST /upload bodies (at most 6 MiB) into a CountingBody, refuses POST /private
// before reading, and keeps every other body in memory.
struct StreamingServer {
  std::shared_ptr<CountingBody> last;
  std::atomic<int> handled{0};
  Router router;
  std::unique_ptr<TestServer> server;
  explicit StreamingServer(size_t refuse_after = SIZE_MAX) {
    BOOST_REQUIRE(router.Add("POST", "/upload", [this](Request request, Responder responder) {
      ++handled;
      auto* body = dynamic_cast<CountingBody*>(request.streamed_body.get());
      responder.Send(Response::Text(200, body == nullptr ? "no stream" : std::to_string(body->bytes) + " " +
                                                                          std::to_string(body->checksum) + " " +
                                                                          std::to_string(request.body.size())));
    }).ok());
    BOOST_REQUIRE(router.Add("POST", "/small", [this](Request request, Responder responder) {
      ++handled;
      responder.Send(Response::Text(200, std::to_string(request.body.size())));
    }).ok());
    BOOST_REQUIRE(router.Add("POST", "/private", Reply("never")).ok());
    HttpServerOptions options;
    options.body_streamer = [this, refuse_after](const Request& head) {
      BodyStreaming streaming;
      if (head.method == "POST" && head.path == "/upload") {
        last = std::make_shared<CountingBody>(refuse_after);
        streaming.sink = last;
        streaming.max_bytes = 6 << 20;
      } else if (head.path == "/private") {
        streaming.refusal = Response::Text(401, "who are you");
      }
      return streaming;
    };
    server = std::make_unique<TestServer>(router.AsHandler(), options);
  }
};

uint64_t Checksum(const std::string& s) {
  uint64_t sum = 0;
  for (unsigned char c : s) sum = sum * 31 + c;
  return sum;
}

BOOST_AUTO_TEST_CASE(ABodyLargerThanTheMemoryLimitStreamsIntoItsSinkInChunks) {
  StreamingServer s;
  std::string body(5 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 + 3);
  const HttpReply reply =
      dialtone::testing::HttpRequest(s.server->port(), "POST", "/upload", {{"content-type", "audio/wav"}}, body);
  BOOST_TEST(reply.status == 200, reply.body);
  BOOST_TEST(reply.body == std::to_string(body.size()) + " " + std::to_string(Checksum(body)) + " 0");
  BOOST_TEST(s.last->chunks > 1u);
  // Other routes keep the 1 MiB limit.
  const HttpReply small = dialtone::testing::HttpRequest(s.server->port(), "POST", "/small", {}, std::string(2 << 20, 'x'));
  BOOST_TEST(small.status == 413);
}

BOOST_AUTO_TEST_CASE(AStreamedBodyAskingToContinueGetsAnInterimResponseFirst) {
  StreamingServer s;
  const HttpReply reply = PostAfterContinue(s.server->port(), "/upload", "abc");
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "3 " + std::to_string(Checksum("abc")) + " 0");
}

BOOST_AUTO_TEST_CASE(AStreamedBodyBeyondItsLimitIs413AndTheHandlerNeverRuns) {
  StreamingServer s;
  const HttpReply reply = dialtone::testing::HttpRequest(s.server->port(), "POST", "/upload", {}, std::string(7 << 20, 'x'));
  BOOST_TEST(reply.status == 413);
  BOOST_TEST(s.handled.load() == 0);
}

BOOST_AUTO_TEST_CASE(ARefusalFromTheHeadOrTheSinkAnswersWithoutTheHandler) {
  StreamingServer s(/*refuse_after=*/100'000);
  const HttpReply early = dialtone::testing::HttpRequest(s.server->port(), "POST", "/private", {}, std::string(3 << 20, 'x'));
  BOOST_TEST(early.status == 401);
  BOOST_TEST(early.body == "who are you");
  const HttpReply midway = dialtone::testing::HttpRequest(s.server->port(), "POST", "/upload", {}, std::string(1 << 20, 'x'));
  BOOST_TEST(midway.status == 415);
  BOOST_TEST(midway.body.find("refused after") == 0u);
  BOOST_TEST(s.handled.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
