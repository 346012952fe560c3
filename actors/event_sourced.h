// The event-sourced actor pattern, generic over a domain model. PRIVATE to actors/: it
// includes CAF, so only actors/*.cc may include it (keep the number of such units small).
//
// One EventSourcedActor<Model> owns one stream. Its life:
//   recover   LoadSnapshot, then read the stream from snapshot.version + 1 and fold it;
//   command   queued in `pending_` (FIFO); one command at a time is decided;
//   decide    Model::Decide(state, command, now) -> events or a typed error (pure);
//   append    EventLog::AppendAsync(stream, ExpectedVersion::Exact(state version),
//             events, idempotency key scoped to the stream). The store's callback only
//             sends an AppendDone message back into the actor;
//   apply     on AppendDone: read the stream's tail and fold it (so the state holds the
//             events exactly as stored, with the log's timestamps), snapshot every
//             `snapshot_every` events, reply.
// While an append is in flight further commands wait in `pending_`, so every decision is
// made against the state that includes every acknowledged event of this actor.
//
// A failed append (kWrongExpectedVersion: another writer of the stream got there first)
// fails the command with that error and marks the actor to re-read the stream's tail
// before it decides the next command; nothing is overwritten. A deduplicated append
// (same idempotency key seen by the store) folds nothing new of its own and replies the
// current state with the first append's position.
//
// Model requirements (all static, no CAF):
//   using State, Command, Value;
//   Status ValidateRoute(const Command&);            // before any actor is spawned
//   std::string StreamOf(const Command&);
//   const std::string& IdempotencyKey(const Command&);
//   Result<std::vector<EventData>> Decide(const State&, const Command&, time_point);
//   Status Replay(State&, const RecordedEvents&);     // checked fold
//   uint64_t Version(const State&);
//   bool Exists(const State&);                        // false: nothing to keep in memory
//   std::string EncodeSnapshot(const State&);
//   Result<State> DecodeSnapshot(std::string_view bytes, uint64_t version);
//   Value MakeValue(const State&, uint64_t position);
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
  std::atomic<size_t> alive{0};  // directory + stream actors currently running

  ActorEnvironment(store::EventLog& log_in, uint64_t snapshot_every_in)
      : log(log_in), snapshot_every(snapshot_every_in) {}
};

// Calls the reply function exactly once: explicitly, or with kUnavailable when the last
// reference goes away unanswered (a message dropped by a stopped actor, an actor that
// stopped with queued commands).
template <class Value>
class ReplyOnce {
 public:
  using Function = std::function<void(Result<Value>)>;
  explicit ReplyOnce(Function fn) : fn_(std::move(fn)) {}
  ReplyOnce(const ReplyOnce&) = delete;
  ReplyOnce& operator=(const ReplyOnce&) = delete;
  ~ReplyOnce() {
    if (fn_) fn_(Status::Unavailable("the actor stopped before replying"));
  }

  void operator()(Result<Value> result) {
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
  std::shared_ptr<ReplyOnce<typename Model::Value>> reply;
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
  using Envelope = CommandEnvelope<Model>;

  // Idempotency keys (of this stream's recent events) answered without deciding again.
  static constexpr size_t kRememberedKeys = 64;
  static constexpr size_t kReadBatch = 4096;

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
  struct InFlight {
    uint64_t ticket = 0;
    Envelope command;
    std::vector<store::EventData> events;  // as sent, for the fallback fold
    int64_t decided_ms = 0;
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

  // Decides one command and starts its append, or replies at once.
  void Begin(Envelope envelope) {
    if (needs_sync_) {
      if (Status s = CatchUp(); !s.ok()) {
        (*envelope.reply)(s);
        return;
      }
    }
    const std::string& key = Model::IdempotencyKey(envelope.command);
    std::string scoped_key = key.empty() ? std::string() : stream_ + ":" + key;
    if (!scoped_key.empty()) {
      if (auto it = remembered_keys_.find(scoped_key); it != remembered_keys_.end()) {
        (*envelope.reply)(Model::MakeValue(state_, it->second));
        return;
      }
    }
    const auto now = std::chrono::system_clock::now();
    Result<std::vector<store::EventData>> decided = Model::Decide(state_, envelope.command, now);
    if (!decided.ok()) {
      (*envelope.reply)(decided.status());
      return;
    }
    if (decided->empty()) {
      (*envelope.reply)(Model::MakeValue(state_, 0));
      return;
    }
    store::AppendRequest request;
    request.stream = stream_;
    request.expected = store::ExpectedVersion::Exact(Model::Version(state_));
    request.events = *decided;
    request.idempotency_key = std::move(scoped_key);

    const uint64_t ticket = ++next_ticket_;
    in_flight_.emplace(InFlight{
        ticket, std::move(envelope), std::move(decided).value(),
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()});
    // Runs on the store's thread (or inline): it only sends a message.
    env_->log.AppendAsync(std::move(request),
                          [self = caf::actor_cast<caf::actor>(this), ticket](store::AppendOutcome o) {
                            caf::anon_send(self, AppendDone{ticket, std::move(o)});
                          });
  }

  void OnAppended(AppendDone done) {
    assert(in_flight_ && in_flight_->ticket == done.ticket && "an append completed twice");
    InFlight flight = std::move(*in_flight_);
    in_flight_.reset();
    auto& reply = *flight.command.reply;

    if (!done.outcome.ok()) {
      const store::AppendError& error = done.outcome.error();
      needs_sync_ = true;  // whatever happened, read the stream again before deciding
      if (error.status.code() == ErrorCode::kWrongExpectedVersion) {
        reply(Status(ErrorCode::kWrongExpectedVersion,
                     "'" + stream_ + "' was written by another writer: it is at version " +
                         std::to_string(error.actual_version) + ", this actor decided at " +
                         std::to_string(Model::Version(state_))));
      } else {
        reply(error.status);
      }
      return;
    }

    const store::AppendResult& result = *done.outcome;
    [[maybe_unused]] const uint64_t version_before = Model::Version(state_);
    if (Status s = CatchUp(); !s.ok()) {
      reply(Status(s.code(), "appended to '" + stream_ + "' at position " +
                                 std::to_string(result.last_position) +
                                 " but could not read it back: " + s.message()));
      return;
    }
    if (!result.deduplicated && Model::Version(state_) < result.last_version) {
      // The store acknowledged events a read does not show yet: fold the events as sent.
      assert(version_before + 1 == result.first_version && "an exact append landed elsewhere");
      store::RecordedEvents recorded;
      recorded.reserve(flight.events.size());
      for (size_t i = 0; i < flight.events.size(); ++i) {
        store::EventData& data = flight.events[i];
        store::RecordedEvent e;
        e.position = result.first_position + i;
        e.stream = stream_;
        e.version = result.first_version + i;
        e.type = std::move(data.type);
        e.time_ms = flight.decided_ms;
        e.event_id = std::move(data.event_id);
        e.causation_id = std::move(data.causation_id);
        e.correlation_id = std::move(data.correlation_id);
        e.principal = std::move(data.principal);
        e.payload = std::move(data.payload);
        recorded.push_back(std::move(e));
      }
      if (Status s = Model::Replay(state_, recorded); !s.ok()) {
        Reset();
        reply(Status::Internal("events decided by this actor do not fold: " + s.message()));
        return;
      }
      MaybeSnapshot();
    }
    reply(Model::MakeValue(state_, result.last_position));
  }

  // Brings the state up to the stream's head: on first use (or after a failure) from the
  // latest snapshot, otherwise from the state's version. On error the state is dropped and
  // the next command recovers from scratch.
  Status CatchUp() {
    if (!recovered_) {
      state_ = State{};
      Result<std::optional<store::Snapshot>> snapshot = env_->log.LoadSnapshot(stream_);
      if (!snapshot.ok()) return Fail(snapshot.status());
      if (snapshot->has_value()) {
        Result<State> decoded = Model::DecodeSnapshot((*snapshot)->state, (*snapshot)->version);
        // An undecodable snapshot is only a lost shortcut: the stream is the truth.
        if (decoded.ok()) {
          state_ = std::move(decoded).value();
          last_snapshot_version_ = (*snapshot)->version;
        }
      }
    }
    for (;;) {
      store::ReadStreamOptions options;
      options.from_version = Model::Version(state_) + 1;
      options.max_count = kReadBatch;
      Result<store::RecordedEvents> events = env_->log.ReadStream(stream_, options);
      if (!events.ok()) return Fail(events.status());
      if (Status s = Model::Replay(state_, *events); !s.ok()) return Fail(s);
      Remember(*events);
      if (events->size() < kReadBatch) break;
    }
    recovered_ = true;
    needs_sync_ = false;
    MaybeSnapshot();
    return Status::Ok();
  }

  Status Fail(Status status) {
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
      auto [it, inserted] = remembered_keys_.try_emplace(e.idempotency_key, e.position);
      if (!inserted) {
        it->second = std::max(it->second, e.position);  // the last event of that append
        continue;
      }
      remembered_order_.push_back(e.idempotency_key);
      if (remembered_order_.size() > kRememberedKeys) {
        remembered_keys_.erase(remembered_order_.front());
        remembered_order_.pop_front();
      }
    }
  }

  // Saves a snapshot once `snapshot_every` events have been folded since the last one.
  // A failed save is not an error of the command: the next event tries again.
  void MaybeSnapshot() {
    const uint64_t version = Model::Version(state_);
    if (env_->snapshot_every == 0 || !Model::Exists(state_) ||
        version < last_snapshot_version_ + env_->snapshot_every) {
      return;
    }
    store::Snapshot snapshot{version, Model::EncodeSnapshot(state_)};
    if (env_->log.SaveSnapshot(stream_, snapshot).ok()) last_snapshot_version_ = version;
  }

  std::shared_ptr<ActorEnvironment> env_;
  const std::string stream_;
  caf::actor directory_;

  State state_{};
  bool recovered_ = false;
  bool needs_sync_ = true;         // read the stream before deciding the next command
  uint64_t last_snapshot_version_ = 0;
  std::deque<Envelope> pending_;   // commands waiting for the in-flight append
  std::optional<InFlight> in_flight_;
  uint64_t next_ticket_ = 0;
  uint64_t received_ = 0;          // commands received, echoed in passivation requests
  bool passivation_requested_ = false;
  bool draining_ = false;
  std::unordered_map<std::string, uint64_t> remembered_keys_;  // scoped key -> position
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
            (*envelope.reply)(Status::Unavailable("the actor runtime is shutting down"));
            return;
          }
          if (Status s = Model::ValidateRoute(envelope.command); !s.ok()) {
            (*envelope.reply)(s);
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
