#include "commands/account_commands.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>

namespace dialtone::commands {

namespace {

// Keeps a path or message free of the separators of the field-error message: "; "
// between errors, ": " between a path and its message.
std::string Sanitize(std::string text, bool is_path) {
  auto replace_all = [&](std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace_all("; ", ", ");
  if (is_path) replace_all(": ", " ");
  return text;
}

// A field error as the message renders it.
model::FieldError Sanitized(model::FieldError error) {
  error.message = Sanitize(std::move(error.message), false);
  if (error.path.empty()) {
    // Without a path, a ": " would read as one: keep the message free of it.
    for (size_t at = error.message.find(": "); at != std::string::npos; at = error.message.find(": ", at)) {
      error.message.replace(at, 2, " - ");
    }
  } else {
    error.path = Sanitize(std::move(error.path), true);
  }
  return error;
}

}  // namespace

CommandError::CommandError(Status s) : status(std::move(s)) {
  if (status.code() == ErrorCode::kInvalidArgument) field_errors.push_back({"", status.message()});
}

CommandError CommandError::InvalidFields(std::vector<model::FieldError> errors) {
  CommandError error;
  for (model::FieldError& e : errors) error.field_errors.push_back(Sanitized(std::move(e)));
  error.status = Status::InvalidArgument(FormatFieldErrors(error.field_errors));
  return error;
}

CommandError CommandError::InvalidField(std::string path, std::string message) {
  return InvalidFields({{std::move(path), std::move(message)}});
}

CommandError CommandError::ReferredTo(const ResourceKey& resource, std::vector<ResourceKey> referrers) {
  std::string names;
  for (const ResourceKey& r : referrers) names += (names.empty() ? "" : ", ") + r.ToString();
  CommandError error(Status::FailedPrecondition(resource.ToString() + " is referred to by " + names));
  error.referrers = std::move(referrers);
  return error;
}

CommandError CommandError::VersionMismatch(std::string message, uint64_t actual) {
  CommandError error(Status(ErrorCode::kWrongExpectedVersion, std::move(message)));
  error.actual_version = actual;
  return error;
}

CommandError CommandError::WithPathPrefix(const std::string& prefix) const {
  if (prefix.empty() || field_errors.empty()) return *this;
  std::vector<model::FieldError> prefixed = field_errors;
  for (model::FieldError& e : prefixed) {
    std::string path = prefix + e.path;
    if (!path.empty() && path.back() == '.') path.pop_back();  // an error of the step's body itself
    e.path = std::move(path);
  }
  CommandError error = InvalidFields(std::move(prefixed));
  error.referrers = referrers;
  error.actual_version = actual_version;
  return error;
}

std::string FormatFieldErrors(const std::vector<model::FieldError>& errors) {
  std::string message;
  for (const model::FieldError& error : errors) {
    const model::FieldError clean = Sanitized(error);
    if (!message.empty()) message += "; ";
    if (!clean.path.empty()) message += clean.path + ": ";
    message += clean.message;
  }
  return message;
}

CommandResult AccountService::ExecuteAndWait(AccountCommand command) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<CommandResult> result;
  };
  // Owned jointly by this frame and the reply, so neither outlives the other's use of it.
  auto waiter = std::make_shared<Waiter>();
  Execute(std::move(command), [waiter](CommandResult result) {
    std::lock_guard lock(waiter->mu);
    waiter->result.emplace(std::move(result));
    waiter->cv.notify_one();
  });
  std::unique_lock lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

}  // namespace dialtone::commands
