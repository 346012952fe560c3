// The account's domain rules as plain functions (no CAF): the account actor runs them,
// and a projection or a replay benchmark can reuse them unchanged.
//
//   DecideAccount: state + command -> the events to append, or a typed error. Pure: it
//                  never mutates the state.
//   ApplyAccountEvent / ReplayAccount: fold recorded events of stream account-<id> into
//                  the state. The state's version is the version of the last event folded.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "actors/account_service.h"
#include "actors/secret_box.h"
#include "common/status.h"
#include "events/event.h"
#include "model/validate.h"

namespace dialtone::actors {

enum class AccountStatus : uint8_t {
  kAbsent,     // no account.created in the stream yet
  kActive,
  kSuspended,
  kClosed,
};

// "active" | "suspended" | "closed" ("" for kAbsent).
std::string_view AccountStatusName(AccountStatus status);

// One configuration resource of the account, as stored.
struct StoredResource {
  nlohmann::json document;  // normalised (model/): secrets only as `*_ref`, ha1/ha1b kept
  uint64_t revision = 0;    // 1 on create, +1 per update: the ETag
  bool operator==(const StoredResource&) const = default;
};

// A resource's identity within its account. Printed as "kind/id".
struct ResourceKey {
  std::string kind;
  std::string id;
  auto operator<=>(const ResourceKey&) const = default;
  std::string ToString() const { return kind + "/" + id; }
};

// An API key of the account. The secret itself is never stored, only its SHA-256.
struct ApiKeyRecord {
  std::string key_id;
  std::string secret_sha256;         // lowercase hex
  std::vector<std::string> scopes;   // at least one; "*" = every scope
  std::string label;
  std::string created_by;            // principal that minted it
  int64_t created_ms = 0;
  bool revoked = false;
  bool operator==(const ApiKeyRecord&) const = default;
};

// The state of one account stream after folding its events.
struct AccountState {
  std::string account_id;            // empty while kAbsent
  std::string parent_id;
  AccountStatus status = AccountStatus::kAbsent;
  events::AccountSettings settings;  // required fields present once created; an optional
                                     // one absent is null (e.g. max_in: no ceiling)
  uint64_t version = 0;              // version of the last event folded (0 = none)
  uint64_t account_revision = 0;     // version of the last account.* event folded
  int64_t created_ms = 0;            // time of account.created
  int64_t updated_ms = 0;            // time of the last event

  // kind -> id -> resource.
  // (ids hashed: an account may hold many thousands of a kind, looked up on every write)
  std::map<std::string, std::unordered_map<std::string, StoredResource>> resources;
  std::map<std::string, ApiKeyRecord> api_keys;  // key_id -> key (revoked ones kept)
  std::map<std::string, SealedSecret> secrets;   // secret ref -> sealed value

  // Indexes derived from `resources` by every fold and snapshot decode (never stored):
  // the holder of each unique value (model::UniqueKeys of every scope: (name, value)),
  // and for each resource the resources whose references (model::References, plus the
  // parent of a nested kind) name it.
  std::map<std::pair<std::string, std::string>, ResourceKey> unique_holders;
  std::map<ResourceKey, std::set<ResourceKey>> referrers;

  bool exists() const { return status != AccountStatus::kAbsent; }
  // nullptr when the account has no such resource.
  const StoredResource* FindResource(std::string_view kind, std::string_view id) const;
};

// Field-by-field equality (protobuf messages have no operator==); the derived indexes
// are not compared.
bool SameAccountState(const AccountState& a, const AccountState& b);

// An account id is 1..64 characters of [A-Za-z0-9_-].
Status ValidateAccountId(std::string_view account_id);
// "account-<id>": the stream that holds the account's events.
std::string AccountStream(std::string_view account_id);

// The event kinds a destination may name (did_default_dest_kind).
bool IsValidDestinationKind(std::string_view kind);

// A platform-wide unique value (model::UniqueKeys of scope kPlatform, e.g. a domain or
// an E.164 number) held by one resource. Claimed in its own stream
// "unique-<scope>-<value>" before the resource event is appended; released after the
// resource stops holding it.
struct Reservation {
  std::string scope;        // the unique key family, e.g. "domain", "e164"
  std::string value;
  std::string account_id;   // the holder
  std::string kind;
  std::string resource_id;
  bool operator==(const Reservation&) const = default;
};

// "unique-<scope>-<value>".
std::string ReservationStream(const Reservation& reservation);

// What a reply tells beyond the account view: the resource a kResource command touched
// (its document as stored: MakeCommandResult turns it into the public view) and the key
// of a kApiKey command.
struct CommandReceipt {
  std::optional<ResourceResult> resource;
  std::vector<ResourceResult> resources;  // every resource touched, in order (a batch's steps)
  std::string key_id;
  std::string minted_key;  // kMint only, and only on the first reply: never stored
};

// Everything one command decides: the events for account-<id>, the reservations to claim
// before appending them (each one's stream, in order; a claim refused fails the command
// and takes back the claims made so far), the reservations to release after they are
// appended, and what to reply.
struct AccountDecision {
  std::vector<events::EventData> events;
  std::vector<Reservation> claims;
  std::vector<Reservation> releases;
  CommandReceipt receipt;
};

struct DecideOptions {
  // The node key sealing secret values (kSecretKeyBytes raw bytes). When empty, a command
  // that writes a secret fails with kFailedPrecondition.
  std::string_view secret_key;
};

// Decides `command` against `state`. Returns the decision (no events when the command
// changes nothing: a get, an update whose values equal the current ones), or:
//   kInvalidArgument      bad id, missing name on create, a field out of its domain, a
//                         resource body the model rejects, a reference to a resource the
//                         account does not have (see FieldErrorsOf), unknown kind/scope;
//   kNotFound             any command but create on an account that does not exist; a
//                         resource or API key that does not exist;
//   kAlreadyExists        create of an existing account or resource id; a value unique
//                         in the account already held by another resource
//                         ("<name> '<value>' is already taken by <kind>/<id>");
//   kWrongExpectedVersion command.expected_version set and != state.version; a resource's
//                         if_match_revision set and != its revision;
//   kFailedPrecondition   anything but get on a closed account (a suspended account can
//                         still be configured), suspend of a suspended account, reactivate
//                         of an active one, delete of a resource others refer to (the
//                         message names them: "... is referred to by kind/id, kind/id"),
//                         revoke of a revoked key, a secret write without a node key.
// Every event carries the command context's principal, correlation and causation ids.
// `now` stamps created_at/updated_at of resources. Resource ids are minted as the kind's
// prefix + 32 hex digits: random, or derived from the idempotency key when there is one
// (so a retry that reaches the store decides the same id and claims nothing new).
Result<AccountDecision> DecideAccountCommand(const AccountState& state,
                                             const AccountCommand& command,
                                             std::chrono::system_clock::time_point now,
                                             const DecideOptions& options);

// DecideAccountCommand without a secret key, reduced to the events (account commands
// have no reservations).
Result<std::vector<events::EventData>> DecideAccount(const AccountState& state,
                                                     const AccountCommand& command,
                                                     std::chrono::system_clock::time_point now);

// The validation errors a kInvalidArgument from DecideAccountCommand lists. Convention:
// the Status message is "path: message; path: message" (an error of the body itself has
// no "path: "), where neither part contains "; " and a path never contains ": " (the
// decider replaces them). Empty for any other status.
std::vector<model::FieldError> FieldErrorsOf(const Status& status);
// The message of a kInvalidArgument listing `errors` in that convention.
std::string FormatFieldErrors(const std::vector<model::FieldError>& errors);

// Platform reservations, decided against the last event of the reservation's stream
// (nullopt: the stream has none). A claim appends reservation.claimed unless the same
// resource already holds the value (nothing to append); a value held by another resource
// is kAlreadyExists "<scope> '<value>' is already taken". A release appends
// reservation.released only if the same resource holds the value.
Result<std::vector<events::EventData>> DecideClaim(const std::optional<events::RecordedEvent>& last,
                                                   const Reservation& reservation,
                                                   const CommandContext& context);
std::vector<events::EventData> DecideRelease(const std::optional<events::RecordedEvent>& last,
                                             const Reservation& reservation,
                                             const CommandContext& context);

// Folds one recorded event of an append into the receipt of that append (a retry of an
// idempotency key is answered from it). minted_key is never recoverable.
void NoteReceipt(CommandReceipt& receipt, const events::RecordedEvent& event);

// The reply: the account view, the position, and the receipt's resource in its public
// view (model::PublicView: no ha1/ha1b).
AccountCommandResult MakeCommandResult(const AccountState& state, uint64_t position,
                                       const CommandReceipt& receipt);

// API keys are "dtk_<key_id>_<secret>": key_id 16 lowercase hex digits, secret 64.
inline constexpr std::string_view kApiKeyPrefix = "dtk_";
struct ApiKeyToken {
  std::string key_id;
  std::string secret;
};
// nullopt when `token` does not have that shape.
std::optional<ApiKeyToken> ParseApiKey(std::string_view token);
// True when `secret` hashes to the key's stored SHA-256 (compared in constant time).
bool ApiKeySecretMatches(const ApiKeyRecord& key, std::string_view secret);
// The scopes a key may carry: cdr, agents, queues, numbers, dnc, campaign, webhooks,
// config, and "*" (all).
bool IsValidApiKeyScope(std::string_view scope);
// Lowercase hex SHA-256.
std::string Sha256Hex(std::string_view data);

// The sealed value of `ref` in the account opened with the node key: kNotFound for an
// unknown ref, the errors of OpenSecret otherwise.
Result<std::string> OpenAccountSecret(const AccountState& state, std::string_view ref,
                                      std::string_view secret_key);

// Folds one event into `state`. Precondition (asserted): the event is the next one of
// the stream (event.version == state.version + 1) and is a well-formed account event, as
// every event DecideAccount produces is. Events from storage go through ReplayAccount,
// which checks instead of asserting.
void ApplyAccountEvent(AccountState& state, const events::RecordedEvent& event);

// Folds `events` in order, checking each: a version gap, an unknown type, a payload that
// does not decode or an event that cannot follow the state is kCorruption. On error the
// state holds the events before the offending one and must be discarded by the caller.
Status ReplayAccount(AccountState& state, const events::RecordedEvents& events);

// The view a command replies with.
AccountView ToAccountView(const AccountState& state);

// Snapshot codec (events::AccountSnapshot); the snapshot's version travels beside it.
std::string EncodeAccountSnapshot(const AccountState& state);
Result<AccountState> DecodeAccountSnapshot(std::string_view bytes, uint64_t version);

}  // namespace dialtone::actors
