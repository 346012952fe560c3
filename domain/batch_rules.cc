// Batches: several steps of one account decided in order, each against the state the
// earlier ones leave, appended as one write.
#include <algorithm>

#include "domain/account_fold.h"
#include "domain/rules_internal.h"

namespace dialtone::domain::internal {

namespace {

using commands::AccountCommand;
using commands::CommandError;
using events::EventData;
using events::RecordedEvent;

// The events of a decision as the store would record them next in `state`'s stream, so
// a later step of a batch is decided against them.
Status FoldDecided(AccountState& state, const std::vector<EventData>& events,
                   std::chrono::system_clock::time_point now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  events::RecordedEvents recorded;
  for (const EventData& event : events) {
    RecordedEvent r;
    r.stream = AccountStream(state.account_id);
    r.version = state.version + recorded.size() + 1;
    r.type = event.type;
    r.payload = event.payload;
    r.time_ms = now_ms;
    recorded.push_back(std::move(r));
  }
  return ReplayAccount(state, recorded);
}

}  // namespace

Decided DecideBatch(const AccountState& state, const AccountCommand& command,
                    std::chrono::system_clock::time_point now, const DecideOptions& options) {
  using Kind = AccountCommand::Kind;
  if (command.steps.empty()) return CommandError(Status::InvalidArgument("a batch needs at least one step"));
  AccountState scratch = state;
  AccountDecision total;
  for (const AccountCommand& original : command.steps) {
    if (original.kind == Kind::kBatch || original.kind == Kind::kCreate || original.kind == Kind::kGet) {
      return CommandError(
          Status::InvalidArgument("a batch step changes an existing account (no create, get or nested batch)"));
    }
    if (original.account_id != command.account_id) {
      return CommandError(Status::InvalidArgument("every step of a batch acts on the batch's account"));
    }
    AccountCommand step = original;
    step.context = command.context;
    // Each step mints its own ids: two creates of one kind in a keyed batch must not
    // derive the same id, and a retry of the batch still derives the same ones.
    if (!step.context.idempotency_key.empty()) {
      step.context.idempotency_key += "#step" + std::to_string(&original - command.steps.data());
    }
    Decided decided = DecideAccountCommand(scratch, step, now, options);
    if (!decided.ok()) return decided.error();
    if (Status s = FoldDecided(scratch, decided->events, now); !s.ok()) {
      return CommandError(Status::Internal("a batch step decided events its own state cannot fold: " + s.message()));
    }
    for (auto& e : decided->events) total.events.push_back(std::move(e));
    for (auto& c : decided->claims) total.claims.push_back(std::move(c));
    for (auto& r : decided->releases) total.releases.push_back(std::move(r));
    if (decided->receipt.resource) {
      total.receipt.resources.push_back(*decided->receipt.resource);
      total.receipt.resource = std::move(decided->receipt.resource);
    }
    if (!decided->receipt.key_id.empty()) total.receipt.key_id = decided->receipt.key_id;
    if (!decided->receipt.minted_key.empty()) total.receipt.minted_key = decided->receipt.minted_key;
  }
  // Net reservations: a value one step claims and a later one releases (or the reverse)
  // for the same resource ends where it began, so neither is sent to the store.
  for (auto claim = total.claims.begin(); claim != total.claims.end();) {
    auto release = std::find(total.releases.begin(), total.releases.end(), *claim);
    if (release == total.releases.end()) {
      ++claim;
      continue;
    }
    total.releases.erase(release);
    claim = total.claims.erase(claim);
  }
  return total;
}

}  // namespace dialtone::domain::internal
