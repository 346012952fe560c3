#include "test_receiver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace dialtone::webhooks::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test TLS identity: ") + what);
}

}  // namespace

TlsIdentity MakeSelfSignedIdentity() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EVP_EC_gen");
  X509* cert = X509_new();
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    Check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  Check(X509_sign(cert, key, EVP_sha256()) > 0, "X509_sign");

  TlsIdentity identity;
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  identity.certificate_pem = BioToString(cert_bio);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  identity.private_key_pem = BioToString(key_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return identity;
}

struct TestReceiver::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<ssl::context> tls_context;
  std::vector<Reply> script;
  Reply after_script;
  std::thread thread;

  // Touched only on the I/O thread.
  bool released = false;
  std::vector<std::function<void()>> held;

  mutable std::mutex mu;
  std::condition_variable changed;
  std::vector<ReceivedRequest> requests;

  // Records the request and returns the reply it gets.
  Reply Record(const http::request<http::string_body>& request) {
    ReceivedRequest received;
    received.method = std::string(request.method_string());
    received.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      received.headers[name] = std::string(field.value());
    }
    received.body = request.body();
    std::lock_guard guard(mu);
    const size_t index = requests.size();
    requests.push_back(std::move(received));
    changed.notify_all();
    return index < script.size() ? script[index] : after_script;
  }

  template <typename Stream>
  struct Session : std::enable_shared_from_this<Session<Stream>> {
    Impl& owner;
    Stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;

    template <typename... Args>
    Session(Impl& owner_in, Args&&... args) : owner(owner_in), stream(std::forward<Args>(args)...) {}

    void Start() {
      auto self = this->shared_from_this();
      if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
        stream.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (!ec) self->Read();
        });
      } else {
        Read();
      }
    }
    void Read() {
      auto self = this->shared_from_this();
      http::async_read(stream, buffer, request, [self](beast::error_code ec, std::size_t) {
        if (ec) return;
        const Reply reply = self->owner.Record(self->request);
        if (reply.hold && !self->owner.released) {
          self->owner.held.push_back([self, reply] { self->Answer(reply); });
        } else {
          self->Answer(reply);
        }
      });
    }
    void Answer(const Reply& reply) {
      response.result(static_cast<unsigned>(reply.status));
      response.version(11);
      response.set(http::field::content_type, "text/plain");
      response.set(http::field::connection, "close");
      std::string body = "ok";
      body.resize(reply.body_bytes, 'x');
      if (reply.status == 204 || reply.status == 304 || reply.status < 200) body.clear();  // bodiless statuses
      response.body() = std::move(body);
      response.prepare_payload();
      auto self = this->shared_from_this();
      http::async_write(stream, response, [self](beast::error_code, std::size_t) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  };

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      if (tls_context) {
        auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *this, std::move(socket), *tls_context);
        session->Start();
      } else {
        auto session = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket));
        session->Start();
      }
      Accept();
    });
  }
};

TestReceiver::TestReceiver(std::vector<Reply> script, Reply after_script, const TlsIdentity* tls)
    : impl_(std::make_unique<Impl>()), tls_(tls != nullptr) {
  impl_->script = std::move(script);
  impl_->after_script = after_script;
  if (tls != nullptr) {
    impl_->tls_context.emplace(ssl::context::tls_server);
    impl_->tls_context->use_certificate_chain(net::buffer(tls->certificate_pem));
    impl_->tls_context->use_private_key(net::buffer(tls->private_key_pem), ssl::context::pem);
  }
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TestReceiver::~TestReceiver() {
  impl_->ioc.stop();
  impl_->thread.join();
  impl_->held.clear();
}

std::string TestReceiver::Url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

bool TestReceiver::WaitForRequests(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->requests.size() >= count; });
}

std::vector<ReceivedRequest> TestReceiver::Requests() const {
  std::lock_guard guard(impl_->mu);
  return impl_->requests;
}

void TestReceiver::ReleaseHeld() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    impl->released = true;
    for (auto& answer : impl->held) answer();
    impl->held.clear();
  });
}

uint16_t UnusedLocalPort() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace dialtone::webhooks::testing
