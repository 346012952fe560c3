// A deterministic actor runtime for tests: commands are sent, then RunUntilIdle() delivers
// every message on the calling thread, so each interleaving is exact, not timed.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "actors/runtime.h"

namespace dialtone::actors::testing {

using commands::AccountCommand;
using commands::AccountReply;
using commands::AccountView;
using Outcome = commands::CommandResult;

// A reply slot filled by the actor when it answers.
class Pending {
 public:
  Pending() : slot_(std::make_shared<std::optional<Outcome>>()) {}
  AccountReply Reply() const {
    return [slot = slot_](Outcome outcome) { slot->emplace(std::move(outcome)); };
  }
  bool answered() const { return slot_->has_value(); }
  const Outcome& outcome() const {
    BOOST_REQUIRE(answered());
    return **slot_;
  }

 private:
  std::shared_ptr<std::optional<Outcome>> slot_;
};

// One deterministic actor runtime on a log (several may share one log: two "nodes").
class Node {
 public:
  explicit Node(store::EventLog& log, uint64_t snapshot_every = 100, std::string secret_key = {}) {
    RuntimeOptions options;
    options.snapshot_every = snapshot_every;
    options.deterministic = true;
    options.secret_key = std::move(secret_key);
    auto started = Runtime::Start(log, options);
    BOOST_REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    runtime_ = std::move(started).value();
  }

  Pending Send(AccountCommand command) {
    Pending pending;
    runtime_->accounts().Execute(std::move(command), pending.Reply());
    return pending;
  }
  // Sends and runs until every actor is idle; the command must have been answered.
  Outcome Do(AccountCommand command) {
    Pending pending = Send(std::move(command));
    runtime_->RunUntilIdle();
    return pending.outcome();
  }
  // The account as its actor holds it (a kGet); it must exist. "acme" is the tests' usual
  // account.
  AccountView Get(const std::string& account_id = "acme") {
    AccountCommand get;
    get.kind = AccountCommand::Kind::kGet;
    get.account_id = account_id;
    Outcome got = Do(std::move(get));
    BOOST_REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    return got->account;
  }
  Runtime& runtime() { return *runtime_; }
  size_t Run() { return runtime_->RunUntilIdle(); }

 private:
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace dialtone::actors::testing
