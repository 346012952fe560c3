// The event-sourced actor pattern, generic over a domain model. PRIVATE to actors/: it
// includes CAF, so only actors/*.cc may include it (keep the number of such units small).
//
// One EventSourcedActor<Model> owns one stream. Its life:
//   recover   LoadSnapshot, then read the stream from snapshot.version + 1 and fold it;
//   command   queued in `pending_` (FIFO); one command at a time is decided;
//   decide    Model::Decide(state, command, now, env) -> a Decision or a typed error (pure):
//             the events for the stream, side appends to other streams to run before and
//             after them, and a receipt for the reply;
//   before    each `before` side append in order: read the side stream's last event, plan
//             (the plan may refuse: the command fails), append with the side stream's
//             exact version (re-planned up to kSideRetries times if another writer got
//             there first);
//   append    EventLog::AppendAsync(stream, ExpectedVersion::Exact(state version),
//             events, idempotency key scoped to the stream). The store's callback only
//             sends an AppendDone message back into the actor;
//   apply     on AppendDone: fold the events as sent with the positions, versions and
//             time the store gave them (exactly what a read returns; a deduplicated
//             append is read back instead), snapshot every `snapshot_every` events;
//   after     each `after` side append in order, best effort (the command has happened);
//   reply     Model::MakeValue(state, position, receipt).
// If a before-append is refused or fails, or the main append fails, the before-appends
// that wrote are taken back (their `undo` plans, newest first) and the command fails.
// Until the reply, further commands wait in `pending_`, so every decision is made against
// the state that includes every acknowledged event of this actor, and the side effects of
// one command never interleave with another's.
//
// A failed append (kWrongExpectedVersion: another writer of the stream got there first)
// fails the command with that error and marks the actor to re-read the stream's tail
// before it decides the next command; nothing is overwritten. A deduplicated append
// (same idempotency key seen by the store) folds nothing new of its own, takes back what
// its before-appends wrote, and replies with the receipt of the first append (read back).
//
// Model requirements (all static, no CAF):
//   using State, Command, Value, Receipt;
//   using Error;                                     // the commands' error: constructible
//                                                    // from a Status, with .status
//   Error VersionConflict(std::string message, uint64_t actual_version);
//   Status ValidateRoute(const Command&);            // before any actor is spawned
//   std::string StreamOf(const Command&);
//   const std::string& IdempotencyKey(const Command&);
//   Result<Decision<Receipt>, Error> Decide(const State&, const Command&, time_point,
//                                           const ActorEnvironment&);
//   Status Replay(State&, const RecordedEvents&);     // checked fold
//   uint64_t Version(const State&);
//   uint64_t SnapshotSize(const State&);              // items a snapshot holds
//   bool Exists(const State&);                        // false: nothing to keep in memory
//   std::string EncodeSnapshot(const State&);
//   Result<State> DecodeSnapshot(std::string_view bytes, uint64_t version);
//   void NoteReceipt(Receipt&, const RecordedEvent&); // an appended event, in order
//   Value MakeValue(const State&, uint64_t position, const Receipt&);
#pragma once

#include <caf/all.hpp>

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::actors::detail {

using drain_atom = caf::atom_constant<caf::atom("drain")>;          // finish, then exit
using stop_atom = caf::atom_constant<caf::atom("stop")>;            // exit now (idle)
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;  // child -> directory
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;    // runtime -> directory
using abort_atom = caf::atom_constant<caf::atom("abort")>;          // runtime -> directory

// What every actor of a runtime shares. Outlives the actors (the runtime stops them first).
struct ActorEnvironment {
  store::EventLog& log;
  uint64_t snapshot_every = 0;
  std::string secret_key;        // the node key sealing secret values (32 bytes)
  std::atomic<size_t> alive{0};  // directory + stream actors currently running

  ActorEnvironment(store::EventLog& log_in, uint64_t snapshot_every_in, std::string secret_key_in)
      : log(log_in), snapshot_every(snapshot_every_in), secret_key(std::move(secret_key_in)) {}
};

// An append to another stream that a decision needs beside its main append (e.g. a
// uniqueness reservation). `plan` is given the side stream's last event (nullopt: none)
// and returns the events to append with that stream's exact version (none: nothing to
// do), or an error that fails the command (before-appends only; an after-append's error
// is ignored). `undo` (before-appends only, may be empty) is planned the same way to take
// back what `plan` wrote when a later step of the command fails.
struct SideAppend {
  using Plan = std::function<Result<std::vector<store::EventData>>(
      const std::optional<store::RecordedEvent>& last)>;
  std::string stream;
  Plan plan;
  Plan undo;
};

template <class Receipt>
struct Decision {
  std::vector<store::EventData> events;  // for the actor's own stream (may be empty)
  std::vector<SideAppend> before;        // run in order before `events` are appended
  std::vector<SideAppend> after;         // run in order once they are
  Receipt receipt;                       // handed to MakeValue
};

// Calls the reply function exactly once: explicitly, or with kUnavailable when the last
// reference goes away unanswered (a message dropped by a stopped actor, an actor that
// stopped with queued commands).
template <class Value, class Error>
class ReplyOnce {
 public:
  using Function = std::function<void(Result<Value, Error>)>;
  explicit ReplyOnce(Function fn) : fn_(std::move(fn)) {}
  ReplyOnce(const ReplyOnce&) = delete;
  ReplyOnce& operator=(const ReplyOnce&) = delete;
  ~ReplyOnce() {
    if (fn_) fn_(Error(Status::Unavailable("the actor stopped before replying")));
  }

  void operator()(Result<Value, Error> result) {
    assert(fn_ && "a command was replied to twice");
    Function fn = std::move(fn_);
    fn_ = nullptr;
    fn(std::move(result));
  }

 private:
  Function fn_;
};

template <class Model>
struct CommandEnvelope {
  typename Model::Command command;
  std::shared_ptr<ReplyOnce<typename Model::Value, typename Model::Error>> reply;
};

// The store's completion of one append, delivered as a message to the appending actor.
struct AppendDone {
  uint64_t ticket = 0;
  store::AppendOutcome outcome;
};

}  // namespace dialtone::actors::detail

// Local-only message types (never serialized: actors of one process).
namespace caf {
template <class Model>
struct allowed_unsafe_message_type<dialtone::actors::detail::CommandEnvelope<Model>>
    : std::true_type {};
}  // namespace caf
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dialtone::actors::detail::AppendDone)

namespace dialtone::actors::detail {

template <class Model>
class EventSourcedActor final : public caf::event_based_actor {
 public:
  using State = typename Model::State;
  using Value = typename Model::Value;
  using Receipt = typename Model::Receipt;
  using Error = typename Model::Error;
  using Envelope = CommandEnvelope<Model>;

  // Idempotency keys (of this stream's recent events) answered without deciding again.
  static constexpr size_t kRememberedKeys = 64;
  static constexpr size_t kReadBatch = 4096;
  // Times a side append is re-planned after another writer of its stream got there first.
  static constexpr int kSideRetries = 3;

  EventSourcedActor(caf::actor_config& config, std::shared_ptr<ActorEnvironment> env,
                    std::string stream, caf::actor directory)
      : caf::event_based_actor(config), env_(std::move(env)), stream_(std::move(stream)),
        directory_(std::move(directory)) {
    env_->alive.fetch_add(1);
  }

  caf::behavior make_behavior() override {
    return {
        [this](Envelope& command) {
          ++received_;
          passivation_requested_ = false;
          pending_.push_back(std::move(command));
          Pump();
        },
        [this](AppendDone& done) {
          OnAppended(std::move(done));
          Pump();
        },
        [this](drain_atom) {
          draining_ = true;
          Pump();
        },
        [this](stop_atom) {
          assert(Idle() && "the directory stopped an actor that still had work");
          quit();
        },
    };
  }

  void on_exit() override {
    // Anything still queued (only after an abort) is answered kUnavailable by ReplyOnce.
    pending_.clear();
    in_flight_.reset();
    directory_ = nullptr;
    env_->alive.fetch_sub(1);
  }

 private:
  enum class Phase : uint8_t {
    kBefore,  // running decision.before[step]
    kMain,    // the stream's own append is in flight
    kAfter,   // running decision.after[step]; `outcome` holds the reply
    kUndo,    // taking back written[size - 1 - step]; `outcome` holds the reply
  };

  // The one command being carried out, from its decision to its reply.
  struct InFlight {
    Envelope command;
    Decision<Receipt> decision;
    std::string scoped_key;
    int64_t decided_ms = 0;
    Phase phase = Phase::kBefore;
    size_t step = 0;
    int attempts = 0;                    // re-plans of the current side append
    uint64_t ticket = 0;                 // of the append in flight (0: none)
    std::vector<size_t> written;         // before-appends that appended something
    std::optional<Result<Value, Error>> outcome;
  };

  struct Remembered {
    uint64_t position = 0;  // of the last event of the append
    Receipt receipt;
  };

  bool Idle() const { return !in_flight_ && pending_.empty(); }

  void Pump() {
    while (!in_flight_ && !pending_.empty()) {
      Envelope next = std::move(pending_.front());
      pending_.pop_front();
      Begin(std::move(next));
    }
    if (!Idle()) return;
    if (draining_) {
      quit();
    } else if (!Model::Exists(state_) && !passivation_requested_) {
      // Nothing worth keeping in memory (e.g. a lookup of an unknown id): offer to stop.
      passivation_requested_ = true;
      send(directory_, passivate_atom::value, stream_, received_);
    }
  }

  // Decides one command and starts carrying it out, or replies at once.
  void Begin(Envelope envelope) {
    if (needs_sync_) {
      if (Status s = CatchUp(); !s.ok()) {
        (*envelope.reply)(Error(std::move(s)));
        return;
      }
    }
    const std::string& key = Model::IdempotencyKey(envelope.command);
    std::string scoped_key = key.empty() ? std::string() : stream_ + ":" + key;
    if (!scoped_key.empty()) {
      if (auto it = remembered_keys_.find(scoped_key); it != remembered_keys_.end()) {
        (*envelope.reply)(Model::MakeValue(state_, it->second.position, it->second.receipt));
        return;
      }
    }
    const auto now = std::chrono::system_clock::now();
    Result<Decision<Receipt>, Error> decided = Model::Decide(state_, envelope.command, now, *env_);
    if (!decided.ok()) {
      (*envelope.reply)(decided.error());
      return;
    }
    if (decided->events.empty() && decided->before.empty() && decided->after.empty()) {
      (*envelope.reply)(Model::MakeValue(state_, 0, decided->receipt));
      return;
    }
    in_flight_.emplace();
    in_flight_->command = std::move(envelope);
    in_flight_->decision = std::move(decided).value();
    in_flight_->scoped_key = std::move(scoped_key);
    in_flight_->decided_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    Advance();
  }

  // Runs the in-flight command's steps until one waits for an append or the command is
  // answered (then in_flight_ is empty).
  void Advance() {
    for (;;) {
      InFlight& f = *in_flight_;
      switch (f.phase) {
        case Phase::kBefore: {
          if (f.step == f.decision.before.size()) {
            f.phase = Phase::kMain;
            continue;
          }
          const SideAppend& side = f.decision.before[f.step];
          Result<bool> started = StartSideAppend(side.stream, side.plan);
          if (!started.ok()) {
            Fail(Error(started.status()));
            continue;
          }
          if (*started) return;
          ++f.step;
          f.attempts = 0;
          continue;
        }
        case Phase::kMain: {
          if (f.decision.events.empty()) {
            f.outcome.emplace(Model::MakeValue(state_, 0, f.decision.receipt));
            ToPhase(Phase::kAfter);
            continue;
          }
          store::AppendRequest request;
          request.stream = stream_;
          request.expected = store::ExpectedVersion::Exact(Model::Version(state_));
          request.events = f.decision.events;
          request.idempotency_key = f.scoped_key;
          SendAppend(std::move(request));
          return;
        }
        case Phase::kAfter: {
          if (f.step == f.decision.after.size()) {
            Finish();
            return;
          }
          const SideAppend& side = f.decision.after[f.step];
          Result<bool> started = StartSideAppend(side.stream, side.plan);
          if (started.ok() && *started) return;
          ++f.step;  // best effort: a failed after-append does not fail the command
          f.attempts = 0;
          continue;
        }
        case Phase::kUndo: {
          if (f.step == f.written.size()) {
            Finish();
            return;
          }
          const SideAppend& side = f.decision.before[f.written[f.written.size() - 1 - f.step]];
          if (side.undo) {
            Result<bool> started = StartSideAppend(side.stream, side.undo);
            if (started.ok() && *started) return;
          }
          ++f.step;
          f.attempts = 0;
          continue;
        }
      }
    }
  }

  void ToPhase(Phase phase) {
    in_flight_->phase = phase;
    in_flight_->step = 0;
    in_flight_->attempts = 0;
  }

  // The command fails with `error` once the before-appends it wrote are taken back.
  void Fail(Error error) {
    in_flight_->outcome.emplace(std::move(error));
    ToPhase(Phase::kUndo);
  }

  void Finish() {
    InFlight flight = std::move(*in_flight_);
    in_flight_.reset();
    (*flight.command.reply)(std::move(*flight.outcome));
  }

  // Plans a side append against the side stream's last event and starts it: true when an
  // append is now in flight, false when the plan has nothing to append.
  Result<bool> StartSideAppend(const std::string& stream, const SideAppend::Plan& plan) {
    store::ReadStreamOptions options;
    options.from_version = store::kEnd;
    options.max_count = 1;
    options.direction = store::Direction::kBackward;
    Result<store::RecordedEvents> tail = env_->log.ReadStream(stream, options);
    if (!tail.ok()) return tail.status();
    std::optional<store::RecordedEvent> last;
    uint64_t version = 0;
    if (!tail->empty()) {
      last = std::move(tail->front());
      version = last->version;
    } else {
      Result<uint64_t> stream_version = env_->log.StreamVersion(stream);  // deleted streams
      if (!stream_version.ok()) return stream_version.status();
      version = *stream_version;
    }
    Result<std::vector<store::EventData>> planned = plan(last);
    if (!planned.ok()) return planned.status();
    if (planned->empty()) return false;
    store::AppendRequest request;
    request.stream = stream;
    request.expected = store::ExpectedVersion::Exact(version);
    request.events = std::move(planned).value();
    SendAppend(std::move(request));
    return true;
  }

  void SendAppend(store::AppendRequest request) {
    const uint64_t ticket = ++next_ticket_;
    in_flight_->ticket = ticket;
    // Runs on the store's thread (or inline): it only sends a message.
    env_->log.AppendAsync(std::move(request),
                          [self = caf::actor_cast<caf::actor>(this), ticket](store::AppendOutcome o) {
                            caf::anon_send(self, AppendDone{ticket, std::move(o)});
                          });
  }

  void OnAppended(AppendDone done) {
    assert(in_flight_ && in_flight_->ticket == done.ticket && "an append completed twice");
    InFlight& f = *in_flight_;
    f.ticket = 0;
    const bool raced = !done.outcome.ok() &&
                       done.outcome.error().status.code() == ErrorCode::kWrongExpectedVersion;
    switch (f.phase) {
      case Phase::kBefore:
        if (done.outcome.ok()) {
          f.written.push_back(f.step);
          ++f.step;
          f.attempts = 0;
        } else if (raced && f.attempts < kSideRetries) {
          ++f.attempts;  // read the side stream again and re-plan
        } else {
          Fail(Error(done.outcome.error().status));
        }
        break;
      case Phase::kMain:
        OnMainAppended(std::move(done.outcome));
        break;
      case Phase::kAfter:
      case Phase::kUndo:
        if (raced && f.attempts < kSideRetries) {
          ++f.attempts;
        } else {
          ++f.step;  // best effort
          f.attempts = 0;
        }
        break;
    }
    Advance();
  }

  void OnMainAppended(store::AppendOutcome outcome) {
    InFlight& f = *in_flight_;
    if (!outcome.ok()) {
      const store::AppendError& error = outcome.error();
      needs_sync_ = true;  // whatever happened, read the stream again before deciding
      if (error.status.code() == ErrorCode::kWrongExpectedVersion) {
        Fail(Model::VersionConflict("'" + stream_ + "' was written by another writer: it is at version " +
                                        std::to_string(error.actual_version) + ", this actor decided at " +
                                        std::to_string(Model::Version(state_)),
                                    error.actual_version));
      } else {
        Fail(Error(error.status));
      }
      return;
    }

    const store::AppendResult& result = *outcome;
    [[maybe_unused]] const uint64_t version_before = Model::Version(state_);
    // A fresh append landed exactly after the state (the expected version guarantees
    // it): its events are folded as sent, with the store's time, which is what a read
    // would return. A deduplicated one is an earlier append: read the stream.
    const bool fold_as_sent = !result.deduplicated && result.first_version == version_before + 1;
    if (!fold_as_sent) {
      if (Status s = CatchUp(); !s.ok()) {
        // The events are in the log: the command happened, but its reply cannot be built.
        f.outcome.emplace(Error(Status(s.code(), "appended to '" + stream_ + "' at position " +
                                                     std::to_string(result.last_position) +
                                                     " but could not read it back: " + s.message())));
        ToPhase(Phase::kAfter);
        return;
      }
    }
    if (result.deduplicated) {
      // The store answered with an earlier append of this key: reply as it did, and take
      // back whatever this decision's before-appends wrote.
      f.outcome.emplace(Model::MakeValue(state_, result.last_position, ReceiptOfAppend(result)));
      ToPhase(Phase::kUndo);
      return;
    }
    if (Model::Version(state_) < result.last_version) {
      assert(version_before + 1 == result.first_version && "an exact append landed elsewhere");
      store::RecordedEvents recorded;
      recorded.reserve(f.decision.events.size());
      for (size_t i = 0; i < f.decision.events.size(); ++i) {
        store::EventData& data = f.decision.events[i];
        store::RecordedEvent e;
        e.position = result.first_position + i;
        e.stream = stream_;
        e.version = result.first_version + i;
        e.type = std::move(data.type);
        e.time_ms = result.time_ms != 0 ? result.time_ms : f.decided_ms;
        e.event_id = std::move(data.event_id);
        e.causation_id = std::move(data.causation_id);
        e.correlation_id = std::move(data.correlation_id);
        e.idempotency_key = f.scoped_key;
        e.principal = std::move(data.principal);
        e.payload = std::move(data.payload);
        recorded.push_back(std::move(e));
      }
      if (Status s = Model::Replay(state_, recorded); !s.ok()) {
        Reset();
        f.outcome.emplace(Error(Status::Internal("events decided by this actor do not fold: " + s.message())));
        ToPhase(Phase::kAfter);
        return;
      }
      Remember(recorded);
      MaybeSnapshot();
    }
    f.outcome.emplace(Model::MakeValue(state_, result.last_position, f.decision.receipt));
    ToPhase(Phase::kAfter);
  }

  // The receipt of the append `result` names, read back from the stream (empty if the
  // read fails: the reply then carries the account state only).
  Receipt ReceiptOfAppend(const store::AppendResult& result) {
    Receipt receipt{};
    store::ReadStreamOptions options;
    options.from_version = result.first_version;
    options.max_count = result.last_version - result.first_version + 1;
    Result<store::RecordedEvents> events = env_->log.ReadStream(stream_, options);
    if (events.ok()) {
      for (const store::RecordedEvent& e : *events) Model::NoteReceipt(receipt, e);
    }
    return receipt;
  }

  // Brings the state up to the stream's head: on first use (or after a failure) from the
  // latest snapshot, otherwise from the state's version. On error the state is dropped and
  // the next command recovers from scratch.
  Status CatchUp() {
    if (!recovered_) {
      state_ = State{};
      Result<std::optional<store::Snapshot>> snapshot = env_->log.LoadSnapshot(stream_);
      if (!snapshot.ok()) return FailRecovery(snapshot.status());
      if (snapshot->has_value()) {
        Result<State> decoded = Model::DecodeSnapshot((*snapshot)->state, (*snapshot)->version);
        // An undecodable snapshot is only a lost shortcut: the stream is the truth.
        if (decoded.ok()) {
          state_ = std::move(decoded).value();
          last_snapshot_version_ = (*snapshot)->version;
          last_snapshot_size_ = Model::SnapshotSize(state_);
        }
      }
    }
    for (;;) {
      store::ReadStreamOptions options;
      options.from_version = Model::Version(state_) + 1;
      options.max_count = kReadBatch;
      Result<store::RecordedEvents> events = env_->log.ReadStream(stream_, options);
      if (!events.ok()) return FailRecovery(events.status());
      if (Status s = Model::Replay(state_, *events); !s.ok()) return FailRecovery(s);
      Remember(*events);
      if (events->size() < kReadBatch) break;
    }
    recovered_ = true;
    needs_sync_ = false;
    MaybeSnapshot();
    return Status::Ok();
  }

  Status FailRecovery(Status status) {
    Reset();
    return status;
  }

  void Reset() {
    state_ = State{};
    recovered_ = false;
    needs_sync_ = true;
    remembered_keys_.clear();
    remembered_order_.clear();
  }

  void Remember(const store::RecordedEvents& events) {
    for (const store::RecordedEvent& e : events) {
      if (e.idempotency_key.empty()) continue;
      auto [it, inserted] = remembered_keys_.try_emplace(e.idempotency_key);
      it->second.position = std::max(it->second.position, e.position);  // the append's last
      Model::NoteReceipt(it->second.receipt, e);
      if (!inserted) continue;
      remembered_order_.push_back(e.idempotency_key);
      if (remembered_order_.size() > kRememberedKeys) {
        remembered_keys_.erase(remembered_order_.front());
        remembered_order_.pop_front();
      }
    }
  }

  // Saves a snapshot once `snapshot_every` events, and kSnapshotSpacing times as many
  // events as the last snapshot held items, have been folded since it: a snapshot costs
  // what the state holds, so spacing them by that size keeps its cost per event constant
  // (a quarter of an item), while a recovery replays at most kSnapshotSpacing times as
  // many events as the snapshot it starts from holds.
  // A failed save is not an error of the command: the next event tries again.
  static constexpr uint64_t kSnapshotSpacing = 4;
  void MaybeSnapshot() {
    const uint64_t version = Model::Version(state_);
    if (env_->snapshot_every == 0 || !Model::Exists(state_)) return;
    const uint64_t interval = std::max<uint64_t>(env_->snapshot_every, kSnapshotSpacing * last_snapshot_size_);
    if (version < last_snapshot_version_ + interval) return;
    store::Snapshot snapshot{version, Model::EncodeSnapshot(state_)};
    if (!env_->log.SaveSnapshot(stream_, snapshot).ok()) return;
    last_snapshot_version_ = version;
    last_snapshot_size_ = Model::SnapshotSize(state_);
  }

  std::shared_ptr<ActorEnvironment> env_;
  const std::string stream_;
  caf::actor directory_;

  State state_{};
  bool recovered_ = false;
  bool needs_sync_ = true;         // read the stream before deciding the next command
  uint64_t last_snapshot_version_ = 0;
  uint64_t last_snapshot_size_ = 0;  // Model::SnapshotSize of the last snapshot
  std::deque<Envelope> pending_;   // commands waiting for the one in flight
  std::optional<InFlight> in_flight_;
  uint64_t next_ticket_ = 0;
  uint64_t received_ = 0;          // commands received, echoed in passivation requests
  bool passivation_requested_ = false;
  bool draining_ = false;
  std::unordered_map<std::string, Remembered> remembered_keys_;  // scoped key -> append
  std::deque<std::string> remembered_order_;
};

// Routes each command to the one actor owning its stream, spawning it on demand. An
// actor whose state does not exist offers to stop when idle; the directory stops it only
// if every command it forwarded has arrived (so no command is ever sent to a stopping
// actor). On shutdown it drains every actor and exits when the last one has.
template <class Model>
class Directory final : public caf::event_based_actor {
 public:
  using Envelope = CommandEnvelope<Model>;
  using Error = typename Model::Error;
  using Child = EventSourcedActor<Model>;

  Directory(caf::actor_config& config, std::shared_ptr<ActorEnvironment> env)
      : caf::event_based_actor(config), env_(std::move(env)) {
    env_->alive.fetch_add(1);
  }

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& down) {
      auto it = streams_by_address_.find(down.source);
      if (it == streams_by_address_.end()) return;
      children_.erase(it->second);
      streams_by_address_.erase(it);
      MaybeFinish();
    });
    return {
        [this](Envelope& envelope) {
          if (shutting_down_) {
            (*envelope.reply)(Error(Status::Unavailable("the actor runtime is shutting down")));
            return;
          }
          if (Status s = Model::ValidateRoute(envelope.command); !s.ok()) {
            (*envelope.reply)(Error(std::move(s)));
            return;
          }
          std::string stream = Model::StreamOf(envelope.command);
          auto it = children_.find(stream);
          if (it == children_.end()) {
            caf::actor child = spawn<Child>(env_, stream, caf::actor_cast<caf::actor>(this));
            monitor(child);
            streams_by_address_.emplace(child.address(), stream);
            it = children_.emplace(std::move(stream), Entry{child, 0}).first;
          }
          ++it->second.forwarded;
          send(it->second.handle, std::move(envelope));
        },
        [this](passivate_atom, const std::string& stream, uint64_t received) {
          auto it = children_.find(stream);
          if (it == children_.end() || it->second.forwarded != received) return;
          send(it->second.handle, stop_atom::value);
          streams_by_address_.erase(it->second.handle.address());
          children_.erase(it);
          MaybeFinish();  // the offer may cross a shutdown's drain
        },
        [this](shutdown_atom) {
          shutting_down_ = true;
          for (auto& [stream, entry] : children_) send(entry.handle, drain_atom::value);
          MaybeFinish();
        },
        [this](abort_atom) {
          for (auto& [stream, entry] : children_) send_exit(entry.handle, caf::exit_reason::kill);
          quit();
        },
    };
  }

  void on_exit() override {
    children_.clear();
    streams_by_address_.clear();
    env_->alive.fetch_sub(1);
  }

 private:
  struct Entry {
    caf::actor handle;
    uint64_t forwarded = 0;  // commands sent to it
  };

  void MaybeFinish() {
    if (shutting_down_ && children_.empty()) quit();
  }

  std::shared_ptr<ActorEnvironment> env_;
  std::unordered_map<std::string, Entry> children_;           // stream -> actor
  std::map<caf::actor_addr, std::string> streams_by_address_;  // for down messages
  bool shutting_down_ = false;
};

}  // namespace dialtone::actors::detail
