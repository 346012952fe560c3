// Commands to accounts and their answers, as plain C++: the interface every dialect (the
// HTTP gateway, later the SIP edge and the CLI) calls and the actor runtime implements
// (actors/runtime.h). Each command is routed to the one actor owning account-<id>, which
// decides, appends with the expected version, applies and replies. No CAF, no storage.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "common/status.h"
#include "model/validate.h"

namespace dialtone::commands {

// Who asked and why; copied onto every event the command causes.
struct CommandContext {
  std::string principal;        // "admin", "key:<id>", "system", ...
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;  // a retried command with the same key appends nothing
                                // (keys are scoped to the account: stored as
                                // "account-<id>:<key>" in the log)
};

// A resource's identity within its account. Printed as "kind/id".
struct ResourceKey {
  std::string kind;
  std::string id;
  auto operator<=>(const ResourceKey&) const = default;
  std::string ToString() const { return kind + "/" + id; }
};

// What deleting a resource does to one kind of the resources that refer to it: each one
// whose `field` names the deleted resource is deleted too (kDelete) or has that field set
// to null (kDetach).
struct CascadeRule {
  enum class Action : uint8_t { kDelete, kDetach };
  std::string kind;
  std::string field;
  Action action = Action::kDelete;
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
  // kDelete only: the referrers the delete takes with it, rule by rule (each rule's
  // referrers in id order), decided by the account against its own state and written with
  // the delete as one write: all of it happens, or none. Any other referrer still refuses
  // the delete.
  std::vector<CascadeRule> cascade;
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

// Why a command failed, as values a dialect renders without reading the message:
//   kInvalidArgument      validation; `field_errors` lists every field refused (path ""
//                         = the body or the command itself), at least one;
//   kNotFound             no such account, resource or key;
//   kAlreadyExists        create of an existing id, a unique value already taken;
//   kFailedPrecondition   any write to a closed account, a delete of a resource others
//                         refer to (`referrers` names each), a revoke of a revoked key, …;
//   kWrongExpectedVersion expected_version or if_match_revision mismatch, or another
//                         writer got there first; `actual_version` is what was found;
//   kUnavailable          shutting down.
// `status.message()` is for people and logs; for kInvalidArgument it is rendered from the
// field errors as "path: message; path: message" (an error without a path has no
// "path: "), each part kept free of those separators.
struct CommandError {
  Status status;
  std::vector<model::FieldError> field_errors;
  std::vector<ResourceKey> referrers;
  std::optional<uint64_t> actual_version;

  CommandError() = default;
  // An error with nothing beyond its status. A kInvalidArgument so made is an error of
  // the command itself: one field error with an empty path and the status's message.
  CommandError(Status s);  // NOLINT(google-explicit-constructor)

  bool ok() const { return status.ok(); }
  ErrorCode code() const { return status.code(); }
  const std::string& message() const { return status.message(); }

  // kInvalidArgument listing `errors` (at least one), each made free of the separators.
  static CommandError InvalidFields(std::vector<model::FieldError> errors);
  // kInvalidArgument naming one field.
  static CommandError InvalidField(std::string path, std::string message);
  // kFailedPrecondition: `resource` cannot go while `referrers` refer to it.
  static CommandError ReferredTo(const ResourceKey& resource, std::vector<ResourceKey> referrers);
  // kWrongExpectedVersion: `actual` was found where something else was expected.
  static CommandError VersionMismatch(std::string message, uint64_t actual);
  // This error with `prefix` prepended to every field error's path (a path that ends in
  // '.' once prefixed, an error of a step's body itself, loses the dot).
  CommandError WithPathPrefix(const std::string& prefix) const;
};

// "path: message; path: message" (see CommandError).
std::string FormatFieldErrors(const std::vector<model::FieldError>& errors);

using CommandResult = Result<AccountCommandResult, CommandError>;
using AccountReply = std::function<void(CommandResult)>;

class AccountService {
 public:
  virtual ~AccountService() = default;
  // `reply` is called exactly once, on an actor thread (inline when the service is shut
  // down); it must not block. A retried kMint (same idempotency key) answers the key_id
  // without minted_key: the secret is shown once and never stored.
  virtual void Execute(AccountCommand command, AccountReply reply) = 0;
  // Blocking convenience for the CLI and tests.
  CommandResult ExecuteAndWait(AccountCommand command);
};

}  // namespace dialtone::commands
