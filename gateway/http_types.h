// Plain HTTP request/response types shared by the server, the router and every handler.
// No Boost types here: handlers compile without Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dialtone::gateway {

// An ordered list of header fields; names compare case-insensitively.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Replaces every field named `name` by one field.
  void Set(std::string_view name, std::string_view value);
  // Adds a field, keeping existing ones of the same name.
  void Add(std::string_view name, std::string_view value);
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Response;
class StreamedBody;

struct Request {
  std::string method;        // as sent, e.g. "GET"
  std::string target;        // raw request target, e.g. "/v1/events?after=3"
  std::string path;          // target without the query, percent-encoding kept
  std::string query_string;  // after '?', raw
  // Decoded query parameters in order of appearance ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  // Decoded `{name}` segments of the matched route pattern.
  std::vector<std::pair<std::string, std::string>> path_params;
  Headers headers;
  std::string body;
  // Set instead of `body` when the body was streamed (HttpServerOptions::body_streamer):
  // the sink that received every byte of it.
  std::shared_ptr<StreamedBody> streamed_body;
  std::string request_id;      // the `x-request-id` echoed on the response
  std::string remote_address;  // "ip:port" of the peer

  // First value of a query parameter / path parameter, if present.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
  std::optional<std::string_view> PathParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // A response with `content-type: application/json` and `body`.
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
};

// A request body too large to hold in memory, handed over chunk by chunk as it arrives
// (on an I/O thread: Write must be quick). See HttpServerOptions::body_streamer.
class StreamedBody {
 public:
  virtual ~StreamedBody() = default;
  // False refuses the rest of the body: the server answers Refusal() and closes.
  virtual bool Write(std::string_view chunk) = 0;
  virtual Response Refusal() const = 0;
};

// Completes one request exactly once, from any thread. Move-only. The server writes the
// response on the connection's own executor, so a handler may hand its Responder to an
// actor and reply later. A Responder destroyed without Send() answers 500, so a request
// is never left hanging. Send() after the server gave up on the request (request timeout,
// connection closed) is a no-op.
class Responder {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void Complete(Response response) = 0;
  };

  Responder() = default;
  explicit Responder(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void Send(Response response);
  // True until Send() has been called (or the Responder was moved from).
  bool pending() const { return sink_ != nullptr; }

 private:
  std::shared_ptr<Sink> sink_;
};

// Handles one request. The request is moved in; the handler replies through the
// Responder synchronously or later from another thread.
using Handler = std::function<void(Request, Responder)>;

// Renders a generic error (unknown route, wrong method, malformed request, body too
// large, timeout) in the shape of an API dialect. `code` is a stable upper-case token such
// as "NOT_FOUND"; `message` is for humans.
using ErrorRenderer = std::function<Response(const Request& request, int status,
                                             std::string_view code, std::string_view message)>;

// The default error shape:
// {"error":{"code":"NOT_FOUND","message":"…","request_id":"…"}}
Response RenderJsonError(const Request& request, int status, std::string_view code,
                         std::string_view message);

// Percent-decodes `in` (and '+' as a space when `plus_is_space`). nullopt when a '%' is
// not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Splits "a=1&b=x%20y" into decoded pairs; nullopt on bad percent-encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view query);

// The standard reason phrase of `status` ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

}  // namespace dialtone::gateway
