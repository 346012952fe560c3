#include "gateway/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <limits>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

namespace dialtone::gateway {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxRequestIdBytes = 128;

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = rng();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

// A client-supplied id is kept when it is short printable ASCII without spaces.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string SanitizeHeaderValue(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return out;
}

// A parse error the client should hear about (as opposed to a closed connection).
bool IsMalformedRequest(const boost::system::error_code& ec) {
  static const auto& http_category = http::make_error_code(http::error::bad_target).category();
  return ec.category() == http_category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

std::string EndpointString(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

std::string FormatAccessLogLine(const AccessLogEntry& e) {
  std::string line = "http ";
  line.append(e.method).append(" ").append(e.target).append(" ");
  line.append(std::to_string(e.status)).append(" ");
  line.append(std::to_string(e.body_bytes)).append("B ");
  line.append(std::to_string(e.micros)).append("us id=");
  line.append(e.request_id).append(" peer=").append(e.remote_address);
  return line;
}

struct BufferedLineWriter::State {
  int fd;
  std::chrono::milliseconds flush_interval;
  size_t max_pending_bytes;
  std::mutex mu;
  std::condition_variable wake;
  std::string pending;      // guarded by mu
  bool stopping = false;    // guarded by mu
  std::atomic<uint64_t> dropped{0};
  std::thread thread;

  static constexpr size_t kEagerFlushBytes = 64 * 1024;

  void WriteAll(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // a log that cannot be written is not worth stopping for
      done += static_cast<size_t>(n);
    }
  }

  void Run() {
    std::string batch;
    std::unique_lock lock(mu);
    while (true) {
      wake.wait_for(lock, flush_interval, [&] { return stopping || pending.size() >= kEagerFlushBytes; });
      batch.swap(pending);
      const bool last = stopping;
      lock.unlock();
      if (!batch.empty()) WriteAll(batch);
      batch.clear();
      lock.lock();
      if (last && pending.empty()) return;
    }
  }
};

BufferedLineWriter::BufferedLineWriter(int fd, std::chrono::milliseconds flush_interval,
                                       size_t max_pending_bytes)
    : state_(std::make_unique<State>()) {
  state_->fd = fd;
  state_->flush_interval = flush_interval;
  state_->max_pending_bytes = max_pending_bytes;
  state_->thread = std::thread([state = state_.get()] { state->Run(); });
}

BufferedLineWriter::~BufferedLineWriter() { Stop(); }

void BufferedLineWriter::Append(std::string_view line) {
  bool eager = false;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping || state_->pending.size() + line.size() + 1 > state_->max_pending_bytes) {
      state_->dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    state_->pending.append(line).push_back('\n');
    eager = state_->pending.size() >= State::kEagerFlushBytes;
  }
  if (eager) state_->wake.notify_one();
}

void BufferedLineWriter::Stop() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return;
    state_->stopping = true;
  }
  state_->wake.notify_one();
  if (state_->thread.joinable()) state_->thread.join();
}

uint64_t BufferedLineWriter::dropped_lines() const { return state_->dropped.load(std::memory_order_relaxed); }

void HttpMetrics::RenderPrometheus(std::string* out) const {
  out->append("# HELP dialtone_http_requests_total HTTP responses written, by status class.\n");
  out->append("# TYPE dialtone_http_requests_total counter\n");
  for (int i = 0; i < 5; ++i) {
    out->append("dialtone_http_requests_total{code=\"").append(std::to_string(i + 1)).append("xx\"} ");
    out->append(std::to_string(responses_by_class[i].value())).append("\n");
  }
  RenderPrometheusCounter("dialtone_http_response_body_bytes_total",
                          "Response body bytes written.", response_body_bytes.value(), out);
  RenderPrometheusCounter("dialtone_http_connections_accepted_total",
                          "TCP connections accepted.", connections_accepted.value(), out);
  request_latency.RenderPrometheus("dialtone_http_request_duration_seconds",
                                   "Request read to response written.", out);
}

namespace {

class ServerImpl;
class Session;

// The session whose Dispatch() is running a handler on this thread (else nullptr).
thread_local Session* tls_dispatching = nullptr;

// Shared between the server and every reply sink: a late reply after Stop() must not
// touch an io_context that is going away.
struct Liveness {
  std::mutex mu;
  bool alive = true;
};

// One TCP connection: reads requests one at a time, hands each to the handler, writes
// its response, and repeats while keep-alive holds. All state lives on the strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl& server);
  ~Session();

  void Start();
  // Runs on the strand: close if idle, close after the current response otherwise.
  void BeginDrain();
  // Runs on the strand, posted by the server's sweep when the deadline of the current
  // phase may have passed: acts on it if it has (and was not moved since).
  void OnDeadline();
  // The deadline of the current phase (steady clock, ns since epoch; 0 = none). Written
  // on the strand, read by the sweep.
  int64_t deadline() const { return deadline_ns_.load(std::memory_order_relaxed); }
  // After the I/O threads stopped: drops the reference a pending reply held.
  void Abandon() { awaiting_reply_.reset(); }
  // Runs on the strand: the handler's reply for request `generation`.
  void OnReply(uint64_t generation, Response response);
  // True (and the reply kept) when the handler replies while Dispatch() is still running
  // it on this thread: the response is written when the handler returns, without a
  // round trip through the executor.
  bool TakeInlineReply(uint64_t generation, Response& response);
  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kReadingHeader, kReadingBody, kHandling, kWriting, kLingering, kClosed };

  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void OnBody(beast::error_code ec);
  void StartStreamedBody(BodyStreaming streaming);
  // Sends `100 Continue` first when the request asked for it (Expect: 100-continue, RFC
  // 9110 §10.1.1): only once the server means to read the body, so a refused upload is
  // never sent.
  void ContinueThenRead(std::function<void()> read);
  // The request line, headers, request id and peer of the current request (no body).
  Request RequestHead(const http::request_header<>& header) const;
  void ReadStreamedChunk();
  void OnStreamedChunk(beast::error_code ec);
  void Dispatch();
  // Builds the Request from a parsed head and hands it to the handler.
  void DispatchRequest(const http::request_header<>& header, bool keep_alive, std::string body,
                       std::shared_ptr<StreamedBody> streamed);
  // Also forgets a timeout of the previous phase.
  void SetDeadline(std::chrono::milliseconds from_now);
  // The operation that completed with `ec` was cancelled by this phase's deadline.
  bool TimedOut(const beast::error_code& ec) const { return timed_out_ && ec == net::error::operation_aborted; }
  void ClearDeadline() { deadline_ns_.store(0, std::memory_order_relaxed); }
  // The configured renderer's answer, or the plain JSON one if it throws.
  Response RenderError(const Request& request, int status, std::string_view code, std::string_view message) const;
  // Writes an error raised before a handler ran, then closes.
  void WriteEarlyError(int status, std::string_view code, std::string_view message);
  void Write(Response response);
  void OnWrite(beast::error_code ec);
  // After an error response: stop sending, discard what the peer still sends (briefly),
  // then close, so the peer reads the response instead of a connection reset.
  void LingerThenClose();
  static constexpr size_t kLingerChunkBytes = 16 * 1024;
  static constexpr size_t kMaxLingerBytes = 8 * 1024 * 1024;
  void DiscardUntilClosed(std::shared_ptr<std::array<char, kLingerChunkBytes>> chunk, size_t discarded);
  void Close();

  ServerImpl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // A body that streams (BodyStreaming::sink): the parser moved to a buffer body, the
  // sink, the chunk buffer it fills.
  std::optional<http::request_parser<http::buffer_body>> stream_parser_;
  std::shared_ptr<StreamedBody> streamed_;
  uint64_t stream_limit_ = 0;
  Clock::time_point stream_deadline_;
  std::unique_ptr<std::array<char, 64 * 1024>> chunk_;
  std::atomic<int64_t> deadline_ns_{0};
  bool timed_out_ = false;  // the sweep cancelled the pending read or write
  std::shared_ptr<http::response<http::string_body>> response_;
  std::string remote_;
  State state_ = State::kReadingHeader;
  bool draining_ = false;
  bool keep_alive_ = false;
  bool expects_continue_ = false;  // the current request sent Expect: 100-continue
  bool linger_ = false;  // unread request bytes may remain: linger before closing
  uint64_t generation_ = 0;
  std::optional<Response> inline_reply_;  // set by TakeInlineReply during Dispatch()
  std::shared_ptr<Session> awaiting_reply_;  // self, while a handler replies later
  Clock::time_point started_;
  // Of the current request, for the access log and error rendering.
  std::string method_;
  std::string target_;
  std::string request_id_;
};

class ReplySink final : public Responder::Sink {
 public:
  ReplySink(Session* raw, std::weak_ptr<Session> session, uint64_t generation, std::shared_ptr<Liveness> liveness)
      : raw_(raw), session_(std::move(session)), generation_(generation), liveness_(std::move(liveness)) {}

  void Complete(Response response) override {
    // Inside the session's own Dispatch() on this thread: it is alive, no lock needed.
    if (tls_dispatching == raw_ && raw_->TakeInlineReply(generation_, response)) return;
    // Otherwise the session is only touched (and, if this is its last reference, destroyed,
    // which unregisters it from the server) while the server is known to be alive.
    std::lock_guard lock(liveness_->mu);
    if (!liveness_->alive) return;
    std::shared_ptr<Session> session = session_.lock();
    if (!session) return;
    net::post(session->executor(), [session, generation = generation_,
                                    response = std::move(response)]() mutable {
      session->OnReply(generation, std::move(response));
    });
  }

 private:
  Session* raw_;  // compared, dereferenced only while its Dispatch() runs on this thread
  std::weak_ptr<Session> session_;
  uint64_t generation_;
  std::shared_ptr<Liveness> liveness_;
};

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(HttpServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        metrics_(options_.metrics ? options_.metrics : std::make_shared<HttpMetrics>()),
        acceptor_(net::make_strand(ioc_)) {
    if (!options_.access_log) {
      stderr_log_ = std::make_unique<BufferedLineWriter>(STDERR_FILENO);
      options_.access_log = [log = stderr_log_.get()](const AccessLogEntry& entry) {
        log->Append(FormatAccessLogLine(entry));
      };
    }
    if (!options_.error_renderer) options_.error_renderer = RenderJsonError;
  }

  ~ServerImpl() override { Stop(); }

  Status Bind() {
    beast::error_code ec;
    tcp::endpoint endpoint;
    const auto address = net::ip::make_address(options_.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, options_.port);
    } else {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
      if (ec || results.empty()) {
        return Status::InvalidArgument("cannot resolve HTTP host '" + options_.host +
                                       "': " + ec.message());
      }
      endpoint = results.begin()->endpoint();
    }
    const std::string where = EndpointString(endpoint);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return Status::IOError("cannot open a socket for " + where + ": " + ec.message());
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec == net::error::address_in_use) {
      return Status::Busy("cannot listen on " + where + ": address already in use");
    }
    if (ec == boost::system::errc::address_not_available) {
      return Status::InvalidArgument("cannot listen on " + where + ": address not available on this host");
    }
    if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
    bound_ = acceptor_.local_endpoint(ec);
    if (ec) return Status::IOError("cannot read the bound address: " + ec.message());
    return Status::Ok();
  }

  void Run() {
    Accept();
    sweep_timer_.emplace(ioc_);
    ScheduleSweep();
    threads_.reserve(options_.io_threads);
    for (size_t i = 0; i < options_.io_threads; ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
  }

  uint16_t port() const override { return bound_.port(); }
  std::string address() const override { return EndpointString(bound_); }
  const HttpMetrics& metrics() const override { return *metrics_; }

  void Stop() override {
    std::lock_guard stop_lock(stop_mu_);
    if (stopping_.exchange(true)) return;
    if (!threads_.empty()) {
      std::promise<void> closed;
      net::post(acceptor_.get_executor(), [&] {
        beast::error_code ec;
        acceptor_.close(ec);
        closed.set_value();
      });
      closed.get_future().wait();

      // Collect first: a Session's destructor takes sessions_mu_, so the last reference
      // must never be dropped while it is held.
      std::vector<std::shared_ptr<Session>> live;
      {
        std::lock_guard lock(sessions_mu_);
        for (auto& [raw, weak] : sessions_) {
          if (auto session = weak.lock()) live.push_back(std::move(session));
        }
      }
      for (auto& session : live) {
        net::post(session->executor(), [session] { session->BeginDrain(); });
      }
      live.clear();
      std::unique_lock lock(sessions_mu_);
      sessions_cv_.wait_for(lock, options_.drain_timeout, [&] { return sessions_.empty(); });
    }
    {
      std::lock_guard lock(liveness_->mu);
      liveness_->alive = false;
    }
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // Handlers that never replied hold their sessions; with every I/O thread gone they
    // can be let go (outside sessions_mu_: a Session's destructor takes it).
    std::vector<std::shared_ptr<Session>> abandoned;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [raw, weak] : sessions_) {
        if (auto session = weak.lock()) abandoned.push_back(std::move(session));
      }
    }
    for (auto& session : abandoned) session->Abandon();
    abandoned.clear();
    if (stderr_log_) stderr_log_->Stop();
  }

  // Session bookkeeping.
  void Register(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mu_);
    sessions_.emplace(session.get(), session);
  }
  void Unregister(Session* session) {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
    if (sessions_.empty()) sessions_cv_.notify_all();
  }
  bool stopping() const { return stopping_.load(); }

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  HttpMetrics& mutable_metrics() { return *metrics_; }
  const std::shared_ptr<Liveness>& liveness() const { return liveness_; }

 private:
  // Every session's deadline is checked on one coarse timer rather than a timer per
  // read, write and reply: a quarter of the shortest timeout, between 5 ms and 1 s.
  std::chrono::milliseconds SweepInterval() const {
    const auto shortest = std::min(options_.idle_timeout, options_.request_timeout);
    return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
  }

  void ScheduleSweep() {
    sweep_timer_->expires_after(SweepInterval());
    // Runs through Stop()'s drain (a handler that never replies still gets its 503) and
    // ends with ioc_.stop(); only ever touched from this handler, so no strand is needed.
    sweep_timer_->async_wait([this](beast::error_code ec) {
      if (ec) return;
      Sweep();
      ScheduleSweep();
    });
  }

  void Sweep() {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
    std::vector<std::shared_ptr<Session>> expired;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [raw, weak] : sessions_) {
        const int64_t deadline = raw->deadline();
        if (deadline == 0 || deadline > now) continue;
        if (auto session = weak.lock()) expired.push_back(std::move(session));
      }
    }
    for (auto& session : expired) {
      net::post(session->executor(), [session] { session->OnDeadline(); });
    }
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        metrics_->connections_accepted.Add();
        auto session = std::make_shared<Session>(std::move(socket), *this);
        Register(session);
        session->Start();
      }
      Accept();
    });
  }

  HttpServerOptions options_;
  std::unique_ptr<BufferedLineWriter> stderr_log_;  // the default access log
  Handler handler_;
  std::shared_ptr<HttpMetrics> metrics_;
  std::shared_ptr<Liveness> liveness_ = std::make_shared<Liveness>();

  std::mutex stop_mu_;                 // serializes Stop()
  std::atomic<bool> stopping_{false};  // read by sessions on I/O threads

  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;

  tcp::endpoint bound_;
  std::vector<std::thread> threads_;
  // Declared last: destroyed first, so sessions it still owns unregister from a live map.
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<net::steady_timer> sweep_timer_;  // destroyed before ioc_
};

Session::Session(tcp::socket socket, ServerImpl& server)
    : server_(server), stream_(std::move(socket)) {
  beast::error_code ec;
  const auto peer = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? "unknown" : EndpointString(peer);
}

Session::~Session() { server_.Unregister(this); }

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::BeginDrain() {
  draining_ = true;
  if (state_ == State::kReadingHeader) Close();
}

void Session::ReadHeader() {
  if (draining_ || server_.stopping()) {
    Close();
    return;
  }
  state_ = State::kReadingHeader;
  method_.clear();
  target_.clear();
  request_id_.clear();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  // The body limit is set once the head is known (a streamed body has its own).
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  SetDeadline(server_.options().idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            self->OnHeader(ec);
                          });
}

void Session::OnHeader(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  started_ = Clock::now();
  if (TimedOut(ec)) {  // idle (or a header that never finished): nothing to answer
    Close();
    return;
  }
  if (ec == http::error::header_limit) {
    WriteEarlyError(431, "HEADERS_TOO_LARGE",
                    "request headers exceed " + std::to_string(server_.options().max_header_bytes) + " bytes");
    return;
  }
  if (ec) {
    if (IsMalformedRequest(ec)) {
      WriteEarlyError(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
    } else {
      Close();  // idle timeout, peer closed, drain: nothing to answer
    }
    return;
  }
  const auto& header = parser_->get();
  method_ = std::string(header.method_string());
  target_ = std::string(header.target());
  if (auto it = header.find("x-request-id"); it != header.end() && IsAcceptableRequestId(std::string_view(it->value().data(), it->value().size()))) {
    request_id_ = std::string(it->value());
  } else {
    request_id_ = NewRequestId();
  }
  if (parser_->is_done()) {  // no body (e.g. a GET): dispatch without another read
    Dispatch();
    return;
  }
  if (auto it = header.find(http::field::expect); it != header.end()) {
    expects_continue_ = EqualsIgnoreCase(std::string_view(it->value().data(), it->value().size()), "100-continue");
  } else {
    expects_continue_ = false;
  }
  if (server_.options().body_streamer) {
    const Request head = RequestHead(header);
    BodyStreaming streaming;
    try {
      streaming = server_.options().body_streamer(head);
    } catch (...) {
      WriteEarlyError(500, "INTERNAL", "the request could not be read");
      return;
    }
    if (streaming.refusal) {
      keep_alive_ = false;
      linger_ = true;
      Write(std::move(*streaming.refusal));
      return;
    }
    if (streaming.sink) {
      StartStreamedBody(std::move(streaming));
      return;
    }
  }
  const uint64_t limit = server_.options().max_body_bytes;
  if (auto length = parser_->content_length(); length && *length > limit) {
    WriteEarlyError(413, "PAYLOAD_TOO_LARGE", "request body exceeds " + std::to_string(limit) + " bytes");
    return;
  }
  parser_->body_limit(limit);
  state_ = State::kReadingBody;
  SetDeadline(server_.options().request_timeout);
  ContinueThenRead([this] {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  });
}

Request Session::RequestHead(const http::request_header<>& header) const {
  Request head;
  head.method = method_;
  head.target = target_;
  const size_t q = target_.find('?');
  head.path = target_.substr(0, q);
  if (q != std::string::npos) head.query_string = target_.substr(q + 1);
  for (const auto& field : header) head.headers.Add(std::string(field.name_string()), std::string(field.value()));
  head.request_id = request_id_;
  head.remote_address = remote_;
  return head;
}

void Session::ContinueThenRead(std::function<void()> read) {
  if (!expects_continue_) return read();
  expects_continue_ = false;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this(), read = std::move(read)](beast::error_code ec, std::size_t) {
                     if (self->state_ == State::kClosed) return;
                     if (ec) return self->Close();
                     read();
                   });
}

void Session::OnBody(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec == http::error::body_limit) {
    WriteEarlyError(413, "PAYLOAD_TOO_LARGE",
                    "request body exceeds " + std::to_string(server_.options().max_body_bytes) + " bytes");
    return;
  }
  if (TimedOut(ec)) {
    WriteEarlyError(408, "REQUEST_TIMEOUT", "the request body did not arrive in time");
    return;
  }
  if (ec) {
    if (IsMalformedRequest(ec)) {
      WriteEarlyError(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
    } else {
      Close();
    }
    return;
  }
  Dispatch();
}

void Session::StartStreamedBody(BodyStreaming streaming) {
  streamed_ = std::move(streaming.sink);
  stream_limit_ = streaming.max_bytes;
  if (auto length = parser_->content_length(); length && *length > stream_limit_) {
    streamed_.reset();
    WriteEarlyError(413, "PAYLOAD_TOO_LARGE", "request body exceeds " + std::to_string(stream_limit_) + " bytes");
    return;
  }
  // Only the head has been parsed: the parser can change its body type.
  stream_parser_.emplace(std::move(*parser_));
  parser_.reset();
  stream_parser_->body_limit(stream_limit_);
  if (!chunk_) chunk_ = std::make_unique<std::array<char, 64 * 1024>>();
  state_ = State::kReadingBody;
  stream_deadline_ = Clock::now() + server_.options().max_streamed_body_duration;
  ContinueThenRead([this] { ReadStreamedChunk(); });
}

void Session::ReadStreamedChunk() {
  // Per chunk (a steady upload may take long), never past the whole body's deadline.
  const auto whole = stream_deadline_ - Clock::now();
  SetDeadline(std::max(std::chrono::milliseconds(0),
                       std::min(server_.options().request_timeout,
                                std::chrono::duration_cast<std::chrono::milliseconds>(whole))));
  auto& body = stream_parser_->get().body();
  body.data = chunk_->data();
  body.size = chunk_->size();
  http::async_read_some(stream_, buffer_, *stream_parser_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnStreamedChunk(ec); });
}

void Session::OnStreamedChunk(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec == http::error::need_buffer) ec = {};  // the chunk buffer is full: not an error
  if (TimedOut(ec)) {
    streamed_.reset();
    WriteEarlyError(408, "REQUEST_TIMEOUT", "the request body did not arrive in time");
    return;
  }
  if (ec == http::error::body_limit) {
    streamed_.reset();
    WriteEarlyError(413, "PAYLOAD_TOO_LARGE", "request body exceeds " + std::to_string(stream_limit_) + " bytes");
    return;
  }
  if (ec) {
    streamed_.reset();
    if (IsMalformedRequest(ec)) {
      WriteEarlyError(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
    } else {
      Close();
    }
    return;
  }
  const size_t got = chunk_->size() - stream_parser_->get().body().size;
  if (got > 0 && !streamed_->Write(std::string_view(chunk_->data(), got))) {
    Response refusal = streamed_->Refusal();
    streamed_.reset();
    keep_alive_ = false;
    linger_ = true;
    Write(std::move(refusal));
    return;
  }
  if (!stream_parser_->is_done()) return ReadStreamedChunk();
  const bool keep_alive = stream_parser_->get().keep_alive();
  std::shared_ptr<StreamedBody> streamed = std::move(streamed_);
  const http::request_header<> header = stream_parser_->get().base();
  stream_parser_.reset();
  DispatchRequest(header, keep_alive, std::string(), std::move(streamed));
}

void Session::Dispatch() {
  http::request<http::string_body> message = parser_->release();
  const bool keep_alive = message.keep_alive();
  std::string body = std::move(message.body());
  DispatchRequest(message.base(), keep_alive, std::move(body), nullptr);
}

void Session::DispatchRequest(const http::request_header<>& message, bool keep_alive, std::string body,
                              std::shared_ptr<StreamedBody> streamed) {
  keep_alive_ = keep_alive;

  Request request = RequestHead(message);
  request.body = std::move(body);
  request.streamed_body = std::move(streamed);

  SetDeadline(server_.options().request_timeout);
  state_ = State::kHandling;
  const uint64_t generation = ++generation_;
  Responder responder(std::make_shared<ReplySink>(this, weak_from_this(), generation, server_.liveness()));
  {
    struct DispatchingScope {
      explicit DispatchingScope(Session* session) { tls_dispatching = session; }
      ~DispatchingScope() { tls_dispatching = nullptr; }
    } scope(this);
    // A handler must not throw; if one does, the moved-from responder answers 500.
    try {
      server_.handler()(std::move(request), std::move(responder));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "http handler threw for %s %s: %s\n", method_.c_str(), target_.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "http handler threw for %s %s\n", method_.c_str(), target_.c_str());
    }
  }
  if (inline_reply_) {
    Response response = std::move(*inline_reply_);
    inline_reply_.reset();
    Write(std::move(response));
    return;
  }
  // No operation is pending while the handler works: this reference keeps the session
  // for its reply (or its deadline).
  awaiting_reply_ = shared_from_this();
}

bool Session::TakeInlineReply(uint64_t generation, Response& response) {
  if (tls_dispatching != this || generation != generation_ || state_ != State::kHandling) return false;
  inline_reply_ = std::move(response);
  return true;
}

void Session::SetDeadline(std::chrono::milliseconds from_now) {
  timed_out_ = false;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  deadline_ns_.store(now + std::chrono::duration_cast<std::chrono::nanoseconds>(from_now).count(),
                     std::memory_order_relaxed);
}

void Session::OnDeadline() {
  const int64_t deadline = deadline_ns_.load(std::memory_order_relaxed);
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  if (deadline == 0 || deadline > now) return;  // moved on since the sweep looked
  ClearDeadline();
  beast::error_code ignored;
  switch (state_) {
    case State::kReadingHeader:
    case State::kReadingBody:
    case State::kWriting:
      // The pending operation completes with operation_aborted; its handler decides.
      timed_out_ = true;
      stream_.socket().cancel(ignored);
      return;
    case State::kHandling: {
      keep_alive_ = false;
      Request request;
      request.method = method_;
      request.target = target_;
      request.request_id = request_id_;
      Write(RenderError(request, 503, "TIMEOUT", "the request was not answered in time"));
      return;
    }
    case State::kLingering:
      stream_.socket().close(ignored);
      return;
    case State::kClosed:
      return;
  }
}

void Session::OnReply(uint64_t generation, Response response) {
  if (generation != generation_ || state_ != State::kHandling) return;
  Write(std::move(response));
}

Response Session::RenderError(const Request& request, int status, std::string_view code,
                              std::string_view message) const {
  try {
    return server_.options().error_renderer(request, status, code, message);
  } catch (...) {
    return RenderJsonError(request, status, code, message);
  }
}

void Session::WriteEarlyError(int status, std::string_view code, std::string_view message) {
  keep_alive_ = false;
  linger_ = true;
  if (request_id_.empty()) request_id_ = NewRequestId();
  if (method_.empty()) method_ = "-";
  if (target_.empty()) target_ = "-";
  Request request;
  request.method = method_;
  request.target = target_;
  request.request_id = request_id_;
  Write(RenderError(request, status, code, message));
}

void Session::Write(Response response) {
  state_ = State::kWriting;
  // The write below holds the session from here on; dropped at the end of this call.
  std::shared_ptr<Session> keep = std::move(awaiting_reply_);
  response_ = std::make_shared<http::response<http::string_body>>();
  auto& res = *response_;
  res.version(11);
  res.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.fields()) {
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
        EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "x-request-id")) {
      continue;
    }
    if (name.find_first_of("\r\n") == std::string::npos && value.find_first_of("\r\n") == std::string::npos &&
        name.find('\0') == std::string::npos && value.find('\0') == std::string::npos) {
      res.insert(name, value);  // the common case: nothing to clean, nothing to copy
    } else {
      res.insert(SanitizeHeaderValue(name), SanitizeHeaderValue(value));
    }
  }
  res.set("x-request-id", request_id_);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive_ && !draining_ && !server_.stopping());
  res.prepare_payload();
  // Counted before the write, so a client that has read this response sees it counted.
  HttpMetrics& metrics = server_.mutable_metrics();
  metrics.requests.Add();
  if (response.status >= 100 && response.status < 600) metrics.responses_by_class[response.status / 100 - 1].Add();
  metrics.response_body_bytes.Add(res.body().size());
  SetDeadline(server_.options().request_timeout);
  http::async_write(stream_, res, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->OnWrite(ec);
  });
}

void Session::OnWrite(beast::error_code ec) {
  const auto& res = *response_;
  const int status = static_cast<int>(res.result_int());
  const uint64_t micros = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count());
  server_.mutable_metrics().request_latency.ObserveNanos(micros * 1000);
  server_.options().access_log(AccessLogEntry{method_, target_, status, res.body().size(), micros,
                                              request_id_, remote_});
  const bool keep = res.keep_alive();
  response_.reset();
  if (!ec && linger_) {
    LingerThenClose();
    return;
  }
  if (ec || !keep) {
    Close();
    return;
  }
  ReadHeader();
}

void Session::LingerThenClose() {
  state_ = State::kLingering;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  SetDeadline(std::chrono::seconds(2));
  DiscardUntilClosed(std::make_shared<std::array<char, kLingerChunkBytes>>(), 0);
}

void Session::DiscardUntilClosed(std::shared_ptr<std::array<char, kLingerChunkBytes>> chunk,
                                 size_t discarded) {
  auto buffer = net::buffer(*chunk);
  stream_.async_read_some(buffer, [self = shared_from_this(), chunk = std::move(chunk), discarded](
                                      beast::error_code ec, std::size_t n) mutable {
    if (ec || discarded + n > kMaxLingerBytes) {
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
      return;
    }
    self->DiscardUntilClosed(std::move(chunk), discarded + n);
  });
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  awaiting_reply_.reset();
  state_ = State::kClosed;
  ClearDeadline();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Handler handler) {
  if (!handler) return Status::InvalidArgument("HTTP server needs a handler");
  if (options.io_threads == 0) return Status::InvalidArgument("HTTP server needs at least one I/O thread");
  if (options.max_header_bytes == 0 || options.max_body_bytes == 0) {
    return Status::InvalidArgument("HTTP header and body limits must be positive");
  }
  auto server = std::make_unique<ServerImpl>(std::move(options), std::move(handler));
  if (Status s = server->Bind(); !s.ok()) return s;
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace dialtone::gateway
