// A minimal blocking HTTP/1.1 client (Beast behind this header) for CLI commands and
// node-to-node calls: one request per connection, bounded by a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway {

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // without trailing '/', may be empty
};

// Parses "http://HOST[:PORT][/base]". Errors (kInvalidArgument): another scheme, an empty
// host, a bad port, a query or fragment.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";   // path and query
  Headers headers;
  std::string body;
};

// Sends `request` to host:port and returns the response (any status). Errors:
// kUnavailable (cannot resolve or connect, connection dropped), kIOError (malformed
// response), kUnavailable with "timed out" when `timeout` passes first.
Result<Response> HttpFetch(const std::string& host, uint16_t port, const ClientRequest& request,
                           std::chrono::milliseconds timeout);

}  // namespace dialtone::gateway
