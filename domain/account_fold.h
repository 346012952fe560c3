// The fold of an account stream: recorded events (and snapshots) into AccountState. Used
// by the account actor to recover and apply, by the config view, and by benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/account_state.h"
#include "events/event.h"

namespace dialtone::domain {

// Folds one event into `state`. Precondition (asserted): the event is the next one of
// the stream (event.version == state.version + 1) and is a well-formed account event, as
// every event the rules (account_rules.h) produce is. Events from storage go through
// ReplayAccount, which checks instead of asserting.
void ApplyAccountEvent(AccountState& state, const events::RecordedEvent& event);

// Folds `events` in order, checking each: a version gap, an unknown type, a payload that
// does not decode or an event that cannot follow the state is kCorruption. On error the
// state holds the events before the offending one and must be discarded by the caller.
Status ReplayAccount(AccountState& state, const events::RecordedEvents& events);

// Snapshot codec (events::AccountSnapshot); the snapshot's version travels beside it.
// Resources are written in id order, so equal states give equal bytes. The derived
// indexes are rebuilt on decode.
std::string EncodeAccountSnapshot(const AccountState& state);
Result<AccountState> DecodeAccountSnapshot(std::string_view bytes, uint64_t version);

}  // namespace dialtone::domain
