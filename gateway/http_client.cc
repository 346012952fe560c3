#include "gateway/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

namespace dialtone::gateway {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("invalid URL '" + std::string(url) + "': " + std::string(why));
  };
  if (url.substr(0, kScheme.size()) != kScheme) return fail("expected http://HOST:PORT");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) return fail("a query or fragment is not allowed");
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  HttpUrl out;
  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port_text = after.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return fail("the host is empty");
  if (!port_text.empty() || authority.find(':') != std::string_view::npos) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return fail("the port must be an integer from 1 to 65535");
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.host = std::string(host);
  out.base_path = std::string(path);
  return out;
}

Result<Response> HttpFetch(const std::string& host, uint16_t port, const ClientRequest& request,
                           std::chrono::milliseconds timeout) {
  net::io_context ioc;
  const std::string where = host + ":" + std::to_string(port);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());

  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, host);
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers.fields()) req.insert(name, value);
  req.body() = request.body;
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code failure;
  std::string stage = "connect to";
  bool done = false;

  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
    if (connect_ec) {
      failure = connect_ec;
      return;
    }
    stage = "send to";
    http::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        failure = write_ec;
        return;
      }
      stage = "read from";
      http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
        failure = read_ec;
        done = !read_ec;
      });
    });
  });
  ioc.run();

  if (!done) {
    if (failure == beast::error::timeout) {
      return Status::Unavailable("timed out trying to " + stage + " " + where);
    }
    if (failure.category() == http::make_error_code(http::error::bad_target).category() &&
        failure != http::error::end_of_stream && failure != http::error::partial_message) {
      return Status::IOError("malformed response from " + where + ": " + failure.message());
    }
    return Status::Unavailable("cannot " + stage + " " + where + ": " + failure.message());
  }
  Response response;
  const auto& res = parser.get();
  response.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    response.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = res.body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return response;
}

}  // namespace dialtone::gateway
