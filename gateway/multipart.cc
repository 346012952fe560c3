#include "gateway/multipart.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace dialtone::gateway {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `name` in `; a=b; name="v"` (a quoted string, which may hold ';'
// and backslash escapes, or a token); nullopt if absent or malformed.
std::optional<std::string> Parameter(std::string_view params, std::string_view name) {
  size_t i = 0;
  const size_t n = params.size();
  while (i < n) {
    while (i < n && (params[i] == ';' || params[i] == ' ' || params[i] == '\t')) ++i;
    const size_t key_start = i;
    while (i < n && params[i] != '=' && params[i] != ';') ++i;
    const std::string key = Lower(Trim(params.substr(key_start, i - key_start)));
    if (i >= n || params[i] != '=') continue;
    ++i;
    while (i < n && (params[i] == ' ' || params[i] == '\t')) ++i;
    std::string value;
    if (i < n && params[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (params[i] == '\\' && i + 1 < n) {
          value += params[i + 1];
          i += 2;
        } else if (params[i] == '"') {
          ++i;
          closed = true;
          break;
        } else {
          value += params[i++];
        }
      }
      if (!closed) return std::nullopt;
      while (i < n && params[i] != ';') ++i;
    } else {
      const size_t start = i;
      while (i < n && params[i] != ';') ++i;
      value = std::string(Trim(params.substr(start, i - start)));
    }
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MultipartParser::BoundaryOf(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (Lower(Trim(content_type.substr(0, semi))) != "multipart/form-data" || semi == std::string_view::npos) {
    return std::nullopt;
  }
  auto boundary = Parameter(content_type.substr(semi + 1), "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

MultipartParser::MultipartParser(std::string boundary, Handler handler, size_t max_header_bytes)
    : delimiter_("\r\n--" + boundary), handler_(std::move(handler)), max_header_bytes_(max_header_bytes) {
  // The first boundary may open the body with no CRLF before it.
  buffer_ = "\r\n";
}

bool MultipartParser::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  buffer_.clear();
  return false;
}

bool MultipartParser::Write(std::string_view chunk) {
  if (state_ == State::kFailed) return false;
  if (state_ == State::kDone) return true;
  buffer_.append(chunk);
  return Run();
}

bool MultipartParser::Run() {
  for (;;) {
    switch (state_) {
      case State::kPreamble: {
        const size_t at = buffer_.find(delimiter_);
        if (at == std::string::npos) {
          // Keep only what may still begin a delimiter.
          if (buffer_.size() > delimiter_.size()) buffer_.erase(0, buffer_.size() - delimiter_.size());
          return true;
        }
        buffer_.erase(0, at + delimiter_.size());
        state_ = State::kAfterBoundary;
        continue;
      }
      case State::kAfterBoundary: {
        if (buffer_.size() < 2) return true;
        if (buffer_.compare(0, 2, "--") == 0) {
          state_ = State::kDone;
          buffer_.clear();
          return true;
        }
        // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
        const size_t crlf = buffer_.find("\r\n");
        if (crlf == std::string::npos) {
          if (buffer_.size() > 256) return Fail("a boundary line does not end");
          return true;
        }
        if (!Trim(std::string_view(buffer_).substr(0, crlf)).empty()) return Fail("a boundary is followed by other text");
        buffer_.erase(0, crlf + 2);
        state_ = State::kHeaders;
        continue;
      }
      case State::kHeaders: {
        const size_t end = buffer_.find("\r\n\r\n");
        const bool no_headers = buffer_.compare(0, 2, "\r\n") == 0;
        if (end == std::string::npos && !no_headers) {
          if (buffer_.size() > max_header_bytes_) return Fail("a part's headers are larger than " +
                                                              std::to_string(max_header_bytes_) + " bytes");
          return true;
        }
        MultipartPart part;
        const std::string block = no_headers ? std::string() : buffer_.substr(0, end);
        if (!ParseHeaders(block, &part)) return false;
        buffer_.erase(0, no_headers ? 2 : end + 4);
        std::string why;
        if (handler_.begin && !handler_.begin(part, &why)) return Fail(why);
        state_ = State::kBody;
        continue;
      }
      case State::kBody: {
        const size_t at = buffer_.find(delimiter_);
        std::string why;
        if (at == std::string::npos) {
          // Hand over everything that cannot be the start of a delimiter.
          if (buffer_.size() >= delimiter_.size()) {
            const size_t safe = buffer_.size() - (delimiter_.size() - 1);
            if (handler_.data && !handler_.data(std::string_view(buffer_).substr(0, safe), &why)) return Fail(why);
            buffer_.erase(0, safe);
          }
          return true;
        }
        if (at > 0 && handler_.data && !handler_.data(std::string_view(buffer_).substr(0, at), &why)) return Fail(why);
        if (handler_.end && !handler_.end(&why)) return Fail(why);
        buffer_.erase(0, at + delimiter_.size());
        state_ = State::kAfterBoundary;
        continue;
      }
      case State::kDone:
      case State::kFailed:
        return state_ == State::kDone;
    }
  }
}

bool MultipartParser::ParseHeaders(std::string_view block, MultipartPart* part) {
  bool disposition = false;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail("a part header has no ':'");
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      const size_t semi = value.find(';');
      if (Lower(Trim(value.substr(0, semi))) != "form-data" || semi == std::string_view::npos) {
        return Fail("a part is not form-data");
      }
      auto field = Parameter(value.substr(semi + 1), "name");
      if (!field || field->empty()) return Fail("a part has no name");
      part->name = *field;
      part->filename = Parameter(value.substr(semi + 1), "filename");
      disposition = true;
    } else if (name == "content-type") {
      part->content_type = std::string(value);
    }
  }
  if (!disposition) return Fail("a part has no Content-Disposition");
  return true;
}

bool MultipartParser::Finish() {
  if (state_ == State::kFailed) return false;
  if (state_ != State::kDone) return Fail("the body ends before the closing boundary");
  return true;
}

}  // namespace dialtone::gateway
