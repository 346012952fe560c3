#include "webhooks/http_post.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <type_traits>

namespace dialtone::webhooks {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("invalid webhook URL '" + std::string(url) + "': " + std::string(why));
  };
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail("whitespace or control characters");
  }
  WebhookUrl out;
  std::string lowered(url.substr(0, std::min<size_t>(url.size(), 8)));
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view rest;
  if (lowered.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (lowered.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    out.tls = true;
    out.port = 443;
  } else {
    return fail("the scheme must be http:// or https://");
  }
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t path_start = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    out.target = std::string(rest.substr(path_start));
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos) return fail("user info is not supported");

  std::string_view host = authority;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return fail("the host is empty");
  if (has_port) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return fail("the port must be an integer from 1 to 65535");
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

struct HttpPoster::Tls {
  ssl::context context{ssl::context::tls_client};
};

HttpPoster::HttpPoster(HttpOptions options, std::unique_ptr<Tls> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {}

HttpPoster::~HttpPoster() = default;

Result<std::unique_ptr<HttpPoster>> HttpPoster::Create(const HttpOptions& options) {
  if (options.timeout.count() <= 0) return Status::InvalidArgument("http options: timeout must be > 0");
  if (options.max_response_body == 0) {
    return Status::InvalidArgument("http options: max_response_body must be > 0");
  }
  auto tls = std::make_unique<Tls>();
  beast::error_code ec;
  tls->context.set_default_verify_paths(ec);
  if (ec) return Status::InvalidArgument("http options: cannot load the system trust store: " + ec.message());
  if (!options.trusted_ca_pem.empty()) {
    tls->context.add_certificate_authority(net::buffer(options.trusted_ca_pem), ec);
    if (ec) return Status::InvalidArgument("http options: trusted_ca_pem is not usable: " + ec.message());
  }
  tls->context.set_verify_mode(options.verify_tls_peer ? ssl::verify_peer : ssl::verify_none, ec);
  if (ec) return Status::InvalidArgument("http options: cannot set the TLS verify mode: " + ec.message());
  return std::unique_ptr<HttpPoster>(new HttpPoster(options, std::move(tls)));
}

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Drives resolve -> connect -> [TLS handshake] -> write -> read on `ioc` under one
// deadline; returns once every operation has completed.
template <typename Stream>
Result<PostResponse> RunExchange(net::io_context& ioc, Stream& stream, const WebhookUrl& url,
                                 http::request<http::string_body>& request, const HttpOptions& options) {
  constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  tcp::resolver resolver(ioc);
  net::steady_timer deadline(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_body);
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);

  std::string stage = "resolve";
  beast::error_code failure;
  bool timed_out = false;
  bool completed = false;
  bool truncated = false;

  const auto fail = [&](beast::error_code ec) {
    failure = ec;
    deadline.cancel();
  };
  // A body over the cap ends the read with body_limit once the header is complete (at
  // the header for a declared Content-Length, while reading otherwise): the status
  // stands, the body is cut.
  const auto finish_read = [&](beast::error_code ec) {
    if (ec == http::error::body_limit && parser.is_header_done()) {
      truncated = true;
      ec = {};
    }
    if (ec) return fail(ec);
    completed = true;
    deadline.cancel();
  };
  const auto on_header = [&](beast::error_code ec, std::size_t) {
    if (ec || parser.is_done()) return finish_read(ec);
    http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) { finish_read(read_ec); });
  };
  const auto on_write = [&](beast::error_code ec, std::size_t) {
    if (ec) return fail(ec);
    stage = "read the response from";
    http::async_read_header(stream, buffer, parser, on_header);
  };
  const auto send = [&] {
    stage = "send the request to";
    http::async_write(stream, request, on_write);
  };
  const auto on_handshake = [&](beast::error_code ec) {
    if (ec) return fail(ec);
    send();
  };
  const auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) return fail(ec);
    if constexpr (kTls) {
      stage = "complete the TLS handshake with";
      stream.async_handshake(ssl::stream_base::client, on_handshake);
    } else {
      send();
    }
  };
  const auto on_resolve = [&](beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return fail(ec);
    stage = "connect to";
    transport.async_connect(results, on_connect);
  };

  deadline.expires_after(options.timeout);
  deadline.async_wait([&](beast::error_code ec) {
    if (ec) return;  // cancelled: the exchange ended first
    timed_out = true;
    resolver.cancel();
    transport.close();
  });
  resolver.async_resolve(url.host, std::to_string(url.port), on_resolve);
  ioc.run();

  const std::string where = url.host + ":" + std::to_string(url.port);
  if (!completed) {
    if (timed_out) {
      return Status::Unavailable("timed out after " + std::to_string(options.timeout.count()) +
                                 " ms trying to " + stage + " " + where);
    }
    if (failure.category() == http::make_error_code(http::error::bad_target).category() &&
        failure != http::error::end_of_stream && failure != http::error::partial_message) {
      return Status::IOError("malformed response from " + where + ": " + failure.message());
    }
    return Status::Unavailable("cannot " + stage + " " + where + ": " + failure.message());
  }
  PostResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.body = std::move(parser.get().body());
  if (response.body.size() > options.max_response_body) response.body.resize(options.max_response_body);
  response.body_truncated = truncated;
  beast::error_code ignored;
  transport.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return response;
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<PostResponse> HttpPoster::Post(const WebhookUrl& url, const HeaderList& headers,
                                      const std::string& body) const {
  http::request<http::string_body> request;
  request.method(http::verb::post);
  request.target(url.target);
  request.version(11);
  const bool default_port = url.port == (url.tls ? 443 : 80);
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  request.set(http::field::host, default_port ? host : host + ":" + std::to_string(url.port));
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();

  net::io_context ioc;
  if (!url.tls) {
    beast::tcp_stream stream(ioc);
    return RunExchange(ioc, stream, url, request, options_);
  }
  TlsStream stream(ioc, tls_->context);
  if (!IsIpLiteral(url.host) && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return Status::Unavailable("cannot set the TLS server name " + url.host);
  }
  if (options_.verify_tls_peer) stream.set_verify_callback(ssl::host_name_verification(url.host));
  return RunExchange(ioc, stream, url, request, options_);
}

}  // namespace dialtone::webhooks
