// A tiny blocking HTTP/1.1 client over raw sockets for black-box tests. Every call is
// bounded by a deadline; a failure is reported as an error string, never a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dialtone::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string error;  // non-empty when no complete reply arrived

  bool ok() const { return error.empty(); }
  std::string Header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline constexpr std::chrono::seconds kHttpTimeout{10};

// One connection, usable for several requests (keep-alive).
class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit HttpConnection(uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends raw bytes; false on error.
  bool SendRaw(const std::string& bytes);
  // Reads one response (headers + Content-Length body).
  HttpReply ReadReply(std::chrono::milliseconds timeout = kHttpTimeout);
  // True when the server closed the connection (EOF) within `timeout`.
  bool WaitForClose(std::chrono::milliseconds timeout = kHttpTimeout);

 private:
  bool FillBuffer(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

// "GET target HTTP/1.1" with the given extra headers.
std::string FormatRequest(const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          const std::string& body = "", bool keep_alive = false);

// One request on a fresh connection.
HttpReply HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      const std::string& body = "");
inline HttpReply HttpGet(uint16_t port, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  return HttpRequest(port, "GET", target, headers);
}

}  // namespace dialtone::testing
