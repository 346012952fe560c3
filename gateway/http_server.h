// An HTTP/1.1 server (Boost.Beast behind this header): keep-alive, header/body size
// limits, idle and request timeouts, a request id on every response, one access-log
// entry per request, and N I/O threads. Requests go to one Handler (usually a Router).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway {

struct AccessLogEntry {
  std::string_view method;
  std::string_view target;
  int status = 0;
  uint64_t body_bytes = 0;     // response body bytes
  uint64_t micros = 0;         // request fully read -> response written
  std::string_view request_id;
  std::string_view remote_address;
};

// Receives each access-log entry on an I/O thread; must be thread-safe and quick.
using AccessLogSink = std::function<void(const AccessLogEntry&)>;

// One line per entry: `http GET /healthz 200 15B 42us id=… peer=127.0.0.1:5555`
std::string FormatAccessLogLine(const AccessLogEntry& entry);

// Collects log lines from any thread and writes them to a file descriptor from its own
// thread, at most `flush_interval` after they were added (sooner once 64 KiB are
// pending), so no I/O thread ever blocks on a write(2). Lines beyond `max_pending_bytes`
// waiting to be written are dropped and counted. Stop() (and the destructor) write what
// is pending and join the thread.
class BufferedLineWriter {
 public:
  explicit BufferedLineWriter(int fd, std::chrono::milliseconds flush_interval = std::chrono::milliseconds(100),
                              size_t max_pending_bytes = 4 * 1024 * 1024);
  ~BufferedLineWriter();
  BufferedLineWriter(const BufferedLineWriter&) = delete;
  BufferedLineWriter& operator=(const BufferedLineWriter&) = delete;

  // Adds `line` and a newline.
  void Append(std::string_view line);
  void Stop();
  uint64_t dropped_lines() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Request counters the server maintains; rendered by `/metrics`.
struct HttpMetrics {
  Counter requests;                 // responses sent (counted as the write starts)
  Counter responses_by_class[5];    // index 0 = 1xx … 4 = 5xx
  Counter response_body_bytes;
  Counter connections_accepted;
  LatencyHistogram request_latency;

  // Appends dialtone_http_* series in Prometheus text format.
  void RenderPrometheus(std::string* out) const;
};

// What to do with the body of a request, decided from its head (a Request without body,
// query not yet parsed) before any of the body is read: by default it is read into Request::body under
// max_body_bytes; with a `sink` it streams into it (at most `max_bytes`, else 413) and
// the handler gets Request::streamed_body; with a `refusal` it is not read at all and the
// refusal is the answer (e.g. 401 before a large upload).
struct BodyStreaming {
  std::shared_ptr<StreamedBody> sink;
  uint64_t max_bytes = 0;
  std::optional<Response> refusal;
};
using BodyStreamer = std::function<BodyStreaming(const Request& head)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an IP address or a resolvable name
  uint16_t port = 8080;            // 0 = any free port (see HttpServer::port())
  size_t io_threads = 1;
  size_t max_header_bytes = 16 * 1024;   // larger: 431, connection closed
  size_t max_body_bytes = 1024 * 1024;   // larger: 413, connection closed
  // A keep-alive connection with no request (header) for this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // Reading a request body, then the handler's reply, then writing it, each at most
  // this long; a handler that does not reply in time gets 503 with code "TIMEOUT" and
  // the connection is closed.
  std::chrono::milliseconds request_timeout{30'000};
  // A streamed body (BodyStreamer sink) must arrive whole within this long, however
  // steadily its chunks come (each chunk also within request_timeout): else 408.
  std::chrono::milliseconds max_streamed_body_duration{600'000};
  // Stop() waits this long for in-flight requests before closing their connections.
  std::chrono::milliseconds drain_timeout{10'000};
  AccessLogSink access_log;         // empty = FormatAccessLogLine lines to stderr, buffered
                                    // (BufferedLineWriter) and flushed by Stop()
  // Counters to update; empty = the server owns its own (see metrics()).
  std::shared_ptr<HttpMetrics> metrics;
  // Renders errors raised before a handler runs (malformed request, 413, 431, timeout).
  ErrorRenderer error_renderer;     // empty = RenderJsonError
  // Asked for every request that has a body; empty = every body is read into memory.
  BodyStreamer body_streamer;
};

class HttpServer {
 public:
  // Binds and listens, then starts the I/O threads. Errors: kInvalidArgument (bad
  // host, no threads), kBusy (address in use), kIOError (other bind/listen failures).
  // On error nothing is listening and no thread runs.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Handler handler);

  virtual ~HttpServer() = default;

  // The bound port (the chosen one when options.port was 0).
  virtual uint16_t port() const = 0;
  // "host:port" as bound.
  virtual std::string address() const = 0;
  virtual const HttpMetrics& metrics() const = 0;
  // Stops accepting, closes idle connections, lets in-flight requests finish (at most
  // drain_timeout), then stops the I/O threads. Idempotent; also run by the destructor.
  virtual void Stop() = 0;
};

}  // namespace dialtone::gateway
