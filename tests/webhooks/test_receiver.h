// An in-test HTTP(S) receiver on 127.0.0.1 (ephemeral port): records every request and
// answers from a scripted sequence of replies. Runs its own I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dialtone::webhooks::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct Reply {
  int status = 200;
  bool hold = false;          // answer only after ReleaseHeld() (or never)
  size_t body_bytes = 2;      // the body is "ok" padded/cut to this many bytes
};

struct TlsIdentity {
  std::string certificate_pem;  // self-signed, SAN DNS:localhost, IP:127.0.0.1
  std::string private_key_pem;
};
// A fresh self-signed identity (OpenSSL, EC P-256, valid for a day).
TlsIdentity MakeSelfSignedIdentity();

class TestReceiver {
 public:
  // Request i gets script[i]; requests past the script get `after_script`. With
  // `tls`, the receiver speaks HTTPS with that identity.
  explicit TestReceiver(std::vector<Reply> script, Reply after_script = Reply{},
                        const TlsIdentity* tls = nullptr);
  ~TestReceiver();
  TestReceiver(const TestReceiver&) = delete;
  TestReceiver& operator=(const TestReceiver&) = delete;

  uint16_t port() const { return port_; }
  // "http(s)://127.0.0.1:<port><path>"
  std::string Url(const std::string& path = "/hook") const;

  // True once at least `count` requests were received, false after `timeout`.
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<ReceivedRequest> Requests() const;
  // Answers every held request now and every later `hold` reply immediately.
  void ReleaseHeld();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  bool tls_ = false;
};

// A TCP port on 127.0.0.1 on which nothing listens (bound once, then released).
uint16_t UnusedLocalPort();

}  // namespace dialtone::webhooks::testing
