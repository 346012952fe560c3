// A streaming multipart/form-data parser (RFC 7578 over RFC 2046 §5.1): parts are handed
// over as they arrive, so a file part never has to fit in memory.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dialtone::gateway {

struct MultipartPart {
  std::string name;                     // Content-Disposition: form-data; name="…"
  std::optional<std::string> filename;  // …; filename="…" (a file part)
  std::string content_type;             // the part's Content-Type ("" when absent)
};

class MultipartParser {
 public:
  // Each returns false to stop with `error` set by the caller's message.
  struct Handler {
    std::function<bool(const MultipartPart& part, std::string* error)> begin;
    std::function<bool(std::string_view bytes, std::string* error)> data;
    std::function<bool(std::string* error)> end;  // the part is complete
  };

  // The boundary of a `multipart/form-data; boundary=…` content type; nullopt for any
  // other type, or a boundary missing or not 1..70 characters (RFC 2046 §5.1.1).
  static std::optional<std::string> BoundaryOf(std::string_view content_type);

  MultipartParser(std::string boundary, Handler handler, size_t max_header_bytes = 8 * 1024);

  // Parses the next bytes of the body; false once the body is malformed or a handler
  // refused (error() tells why). Bytes after the closing delimiter are ignored.
  bool Write(std::string_view chunk);
  // The body ended: false (with error()) unless the closing delimiter was seen.
  bool Finish();
  const std::string& error() const { return error_; }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kDone, kFailed };
  bool Fail(std::string why);
  bool Run();
  bool ParseHeaders(std::string_view block, MultipartPart* part);

  const std::string delimiter_;  // "\r\n--" + boundary
  Handler handler_;
  const size_t max_header_bytes_;
  State state_ = State::kPreamble;
  std::string buffer_;           // bytes not yet consumed
  std::string error_;
};

}  // namespace dialtone::gateway
