// Commands to accounts, as plain C++ (no CAF in this header). Each command is routed to
// the one actor owning account-<id>, which decides, appends with the expected version,
// applies and replies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "account.pb.h"
#include "common/status.h"

namespace dialtone::actors {

// Who asked and why; copied onto every event the command causes.
struct CommandContext {
  std::string principal;        // "admin", "key:<id>", "system", ...
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;  // a retried command with the same key appends nothing
                                // (keys are scoped to the account: stored as
                                // "account-<id>:<key>" in the log)
};

struct AccountCommand {
  enum class Kind : uint8_t { kCreate, kUpdate, kSuspend, kReactivate, kClose, kGet };
  Kind kind = Kind::kGet;
  std::string account_id;
  std::string parent_id;                   // kCreate only
  events::AccountSettings settings;        // kCreate: initial values; kUpdate: changes
  std::string reason;                      // kSuspend / kClose
  std::optional<uint64_t> expected_version;  // If-Match: the account's version must equal it
  CommandContext context;
};

// The account as its actor holds it.
struct AccountView {
  std::string account_id;
  std::string parent_id;
  std::string status;                      // "active" | "suspended" | "closed"
  events::AccountSettings settings;        // every field present
  uint64_t version = 0;                    // stream version of account-<id>
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct AccountCommandResult {
  AccountView account;
  uint64_t position = 0;   // log position of the last event written (0 if none)
};

// Errors: kInvalidArgument (validation), kNotFound (no such account), kAlreadyExists
// (create of an existing id), kFailedPrecondition (e.g. update of a closed account),
// kWrongExpectedVersion (expected_version mismatch, or another writer got there first),
// kUnavailable (shutting down).
using AccountReply = std::function<void(Result<AccountCommandResult>)>;

class AccountService {
 public:
  virtual ~AccountService() = default;
  // `reply` is called exactly once, on an actor thread (inline when the service is shut
  // down); it must not block.
  virtual void Execute(AccountCommand command, AccountReply reply) = 0;
  // Blocking convenience for the CLI and tests.
  Result<AccountCommandResult> ExecuteAndWait(AccountCommand command);
};

}  // namespace dialtone::actors
