// Commands to accounts, as plain C++ (no CAF in this header). Each command is routed to
// the one actor owning account-<id>, which decides, appends with the expected version,
// applies and replies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <vector>

#include <nlohmann/json.hpp>

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

// A change to one configuration resource of the account (kinds and fields: model/).
// kPublish applies to flows only (model::PublishFlow: validates the graph, bumps version).
struct ResourceCommand {
  enum class Op : uint8_t { kCreate, kPatch, kPut, kDelete, kPublish };
  Op op = Op::kCreate;
  std::string kind;                          // e.g. "domain", "sip_trunk"
  std::string id;                            // kCreate: empty = the actor assigns one
  nlohmann::json body;                       // the request body (create/patch/put)
  std::optional<uint64_t> if_match_revision; // If-Match: the resource's revision must equal it
  // Values of read-only fields the server itself sets (e.g. a media file's object_key
  // after an upload), merged into the document after the body is validated. Every key
  // must be a read-only field of the kind (kInvalidArgument otherwise).
  nlohmann::json server_fields = nlohmann::json::object();
  // Prepended to the path of every field error this command reports (e.g. "ipRanges[1].":
  // which part of a request a step of a batch came from).
  std::string error_prefix;
};

// Mint or revoke an API key of the account.
struct ApiKeyCommand {
  enum class Op : uint8_t { kMint, kRevoke };
  Op op = Op::kMint;
  std::string key_id;                        // kRevoke
  std::vector<std::string> scopes;           // kMint
  std::string label;                         // kMint
};

// kBatch: `steps` (kUpdate, kSuspend, kReactivate, kClose, kResource, kApiKey of the same
// account) decided one after the other, each against the state the earlier ones leave,
// and appended as one write: all of them happen, or none (the first step that fails fails
// the batch, and nothing is written).
struct AccountCommand {
  enum class Kind : uint8_t {
    kCreate, kUpdate, kSuspend, kReactivate, kClose, kGet, kResource, kApiKey, kBatch
  };
  Kind kind = Kind::kGet;
  std::string account_id;
  std::string parent_id;                   // kCreate only
  events::AccountSettings settings;        // kCreate: initial values; kUpdate: changes
  std::vector<std::string> cleared_settings;  // kUpdate: optional settings set back to null
  std::string reason;                      // kSuspend / kClose
  std::optional<uint64_t> expected_version;  // the account stream's version must equal it
  // If-Match on the account itself: the version of its last account.* event (the account
  // row's revision, its ETag) must equal it.
  std::optional<uint64_t> if_match_account_revision;
  ResourceCommand resource;                  // kResource
  ApiKeyCommand api_key;                     // kApiKey
  std::vector<AccountCommand> steps;         // kBatch
  CommandContext context;                    // a batch's context is every step's
};

// The account as its actor holds it.
struct AccountView {
  std::string account_id;
  std::string parent_id;
  std::string status;                      // "active" | "suspended" | "closed"
  events::AccountSettings settings;        // required ones present; optional ones absent = null
  uint64_t version = 0;                    // stream version of account-<id>
  uint64_t account_revision = 0;           // version of the last account.* event (the ETag)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// The resource a kResource command produced (public view: no secrets).
struct ResourceResult {
  std::string kind;
  std::string id;
  nlohmann::json document;  // model::PublicView of the stored document; null after kDelete
  uint64_t revision = 0;
  bool deleted = false;
};

struct AccountCommandResult {
  AccountView account;
  uint64_t position = 0;   // log position of the last event written (0 if none)
  std::optional<ResourceResult> resource;  // kResource; kBatch: the last resource step's
  std::vector<ResourceResult> resources;   // every resource the command touched, in order
  std::string minted_key;  // kApiKey kMint: "dtk_<key_id>_<secret>", returned once
  std::string key_id;      // kApiKey
};

// Errors: kInvalidArgument (validation; for resources the message lists the field
// errors as "path: message; path: message", recovered by FieldErrorsOf in
// account_model.h), kNotFound (no such account, resource or key), kAlreadyExists (create
// of an existing id, a unique value already taken), kFailedPrecondition (e.g. any write to
// a closed account, delete of a resource others refer to: the message names them as
// "kind/id, kind/id"), kWrongExpectedVersion (expected_version or if_match_revision
// mismatch, or another writer got there first), kUnavailable (shutting down).
// A retried kMint (same idempotency key) answers the key_id without minted_key: the
// secret is shown once and never stored.
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
