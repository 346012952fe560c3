// Errors as values: a typed code and a message. Module boundaries return Status or
// Result<T>; exceptions never cross them.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace dialtone {

enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidArgument,       // the caller sent something malformed
  kNotFound,              // the addressed thing does not exist
  kAlreadyExists,         // a create collided with an existing thing
  kWrongExpectedVersion,  // optimistic concurrency check failed
  kFailedPrecondition,    // the thing exists but its state forbids the operation
  kCorruption,            // stored bytes do not decode
  kIOError,               // the filesystem or storage engine failed
  kBusy,                  // a resource (e.g. the data folder lock) is held elsewhere
  kUnavailable,           // the component is shut down or not ready
  kInternal,              // a bug: an invariant did not hold
};

std::string_view ErrorCodeName(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
  static Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {ErrorCode::kIOError, std::move(m)}; }
  static Status Busy(std::string m) { return {ErrorCode::kBusy, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or an error. E is Status by default; a module may use a richer error type that
// has `bool ok() const` (e.g. one carrying the actual version of a failed version check).
template <typename T, typename E = Status>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : v_(std::move(error)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<E>(v_).ok() && "a Result holding an error must hold a failure");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // The error; a default (OK) E when the Result holds a value.
  const E& error() const {
    static const E kNone{};
    return ok() ? kNone : std::get<E>(v_);
  }
  // The Status of the error (E itself when E is Status).
  const Status& status() const {
    if constexpr (std::is_same_v<E, Status>) {
      return error();
    } else {
      return error().status;
    }
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> v_;
};

}  // namespace dialtone
