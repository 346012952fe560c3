// The account's rules as pure functions (no CAF, no storage): a command against the
// account's state decides the events to append, the platform reservations to claim and
// release around them, and what to reply, or fails with a typed error. The account actor
// (actors/) runs them; benchmarks and tests call them directly.
//
// Where each family lives: account settings and status (account_rules.cc), configuration
// resources (resource_rules.cc), API keys (api_key_rules.cc), batches (batch_rules.cc),
// replies (receipts.cc); the fold is account_fold.h, reservations reservations.h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/account_commands.h"
#include "common/status.h"
#include "domain/account_state.h"
#include "domain/reservations.h"
#include "events/event.h"

namespace dialtone::domain {

// What a reply tells beyond the account view: the resource a kResource command touched
// (its document as stored: MakeCommandResult turns it into the public view) and the key
// of a kApiKey command.
struct CommandReceipt {
  std::optional<commands::ResourceResult> resource;
  std::vector<commands::ResourceResult> resources;  // every resource touched, in order (a batch's steps)
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

using Decided = Result<AccountDecision, commands::CommandError>;

// Decides `command` against `state`. Returns the decision (no events when the command
// changes nothing: a get, an update whose values equal the current ones), or
// (commands::CommandError):
//   kInvalidArgument      bad id, missing name on create, a field out of its domain, a
//                         resource body the model rejects, a reference to a resource the
//                         account does not have, unknown kind/scope: field_errors;
//   kNotFound             any command but create on an account that does not exist; a
//                         resource or API key that does not exist;
//   kAlreadyExists        create of an existing account or resource id; a value unique
//                         in the account already held by another resource
//                         ("<name> '<value>' is already taken by <kind>/<id>");
//   kWrongExpectedVersion command.expected_version set and != state.version; a resource's
//                         if_match_revision set and != its revision (actual_version);
//   kFailedPrecondition   anything but get on a closed account (a suspended account can
//                         still be configured), suspend of a suspended account, reactivate
//                         of an active one, delete of a resource others refer to
//                         (referrers), revoke of a revoked key, a secret write without a
//                         node key.
// Every event carries the command context's principal, correlation and causation ids.
// `now` stamps created_at/updated_at of resources. Resource ids are minted as the kind's
// prefix + 32 hex digits: random, or derived from the idempotency key when there is one
// (so a retry that reaches the store decides the same id and claims nothing new).
Decided DecideAccountCommand(const AccountState& state, const commands::AccountCommand& command,
                             std::chrono::system_clock::time_point now, const DecideOptions& options);

// DecideAccountCommand without a secret key, reduced to the events (account commands
// have no reservations).
Result<std::vector<events::EventData>, commands::CommandError> DecideAccount(
    const AccountState& state, const commands::AccountCommand& command,
    std::chrono::system_clock::time_point now);

// The commands a delete of `target` with `cascade` rules runs before the delete itself:
// for each rule in order, each resource of the rule's kind (in id order) that refers to
// `target` through the rule's field, deleted or with that field set to null. A resource
// reached by two rules is planned once, by the first.
std::vector<commands::ResourceCommand> PlanCascade(const AccountState& state, const ResourceKey& target,
                                                   const std::vector<commands::CascadeRule>& cascade);

// Folds one recorded event of an append into the receipt of that append (a retry of an
// idempotency key is answered from it). minted_key is never recoverable.
void NoteReceipt(CommandReceipt& receipt, const events::RecordedEvent& event);

// The reply: the account view, the position, and the receipt's resource in its public
// view (model::PublicView: no ha1/ha1b).
commands::AccountCommandResult MakeCommandResult(const AccountState& state, uint64_t position,
                                                 const CommandReceipt& receipt);

}  // namespace dialtone::domain
