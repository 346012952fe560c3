// One HTTP(S) POST per connection with an overall deadline and a capped response body.
// Beast and OpenSSL stay behind this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dialtone::webhooks {

struct WebhookUrl {
  bool tls = false;          // https
  std::string host;          // without brackets for IPv6 literals
  uint16_t port = 80;        // 80 for http, 443 for https unless given
  std::string target = "/";  // path and query, never empty
};

// Parses "http[s]://HOST[:PORT][/path][?query]" (scheme case-insensitive; a fragment is
// dropped). Errors (kInvalidArgument): another scheme, an empty host, a bad port, user
// info ("user@host"), whitespace or control characters.
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

struct HttpOptions {
  // Bounds the whole exchange: resolve, connect, TLS handshake, send, and the response.
  std::chrono::milliseconds timeout{5000};
  // Response bodies are read up to this many bytes; the rest is not read.
  size_t max_response_body = 64 * 1024;
  // https: verify the server certificate chain and host name (on by default).
  bool verify_tls_peer = true;
  // PEM certificates trusted in addition to the system store (e.g. a private CA).
  std::string trusted_ca_pem;
};

struct PostResponse {
  int status = 0;
  std::string body;             // at most HttpOptions::max_response_body bytes
  bool body_truncated = false;  // the body was longer than the cap
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Sends POSTs; thread-safe (each Post uses its own connection and I/O context).
class HttpPoster {
 public:
  // Errors (kInvalidArgument): unusable TLS settings (e.g. a malformed trusted_ca_pem).
  static Result<std::unique_ptr<HttpPoster>> Create(const HttpOptions& options);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // Any status is a response. Errors: kUnavailable for resolve/connect/TLS/transport
  // failures (the message says which stage), with "timed out" in the message when the
  // deadline passed first; kIOError for a malformed response.
  Result<PostResponse> Post(const WebhookUrl& url, const HeaderList& headers,
                            const std::string& body) const;

  const HttpOptions& options() const { return options_; }

 private:
  struct Tls;
  HttpPoster(HttpOptions options, std::unique_ptr<Tls> tls);
  HttpOptions options_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace dialtone::webhooks
