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
#include <string>
#include <string_view>
#include <vector>

#include "account.pb.h"
#include "actors/account_service.h"
#include "common/status.h"
#include "events/event.h"

namespace dialtone::actors {

enum class AccountStatus : uint8_t {
  kAbsent,     // no account.created in the stream yet
  kActive,
  kSuspended,
  kClosed,
};

// "active" | "suspended" | "closed" ("" for kAbsent).
std::string_view AccountStatusName(AccountStatus status);

// The state of one account stream after folding its events.
struct AccountState {
  std::string account_id;            // empty while kAbsent
  std::string parent_id;
  AccountStatus status = AccountStatus::kAbsent;
  events::AccountSettings settings;  // every field present once created
  uint64_t version = 0;              // version of the last event folded (0 = none)
  int64_t created_ms = 0;            // time of account.created
  int64_t updated_ms = 0;            // time of the last event

  bool exists() const { return status != AccountStatus::kAbsent; }
};

// Field-by-field equality (protobuf messages have no operator==).
bool SameAccountState(const AccountState& a, const AccountState& b);

// An account id is 1..64 characters of [A-Za-z0-9_-].
Status ValidateAccountId(std::string_view account_id);
// "account-<id>": the stream that holds the account's events.
std::string AccountStream(std::string_view account_id);

// The event kinds a destination may name (did_default_dest_kind).
bool IsValidDestinationKind(std::string_view kind);

// Decides `command` against `state`. Returns the events to append (empty when the
// command changes nothing: a get, or an update whose values equal the current ones), or:
//   kInvalidArgument      bad id, missing name on create, a field out of its domain;
//   kNotFound             any command but create on an account that does not exist;
//   kAlreadyExists        create of an existing account;
//   kWrongExpectedVersion command.expected_version set and != state.version;
//   kFailedPrecondition   anything but get on a closed account, suspend of a suspended
//                         account, reactivate of an active one.
// Every event carries the command context's principal, correlation and causation ids.
// `now` is the decision time; no account rule depends on it yet.
Result<std::vector<events::EventData>> DecideAccount(const AccountState& state,
                                                     const AccountCommand& command,
                                                     std::chrono::system_clock::time_point now);

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
