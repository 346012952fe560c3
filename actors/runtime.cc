// The only translation unit of actors/ that includes CAF (through event_sourced.h): the
// actor system, the account directory and the account actor.
#include "actors/runtime.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "actors/event_sourced.h"
#include "domain/account_fold.h"
#include "domain/account_rules.h"
#include "domain/secret_box.h"

#include <caf/scheduler/test_coordinator.hpp>

namespace dialtone::actors {
namespace {

using commands::AccountCommand;
using commands::AccountCommandResult;
using commands::AccountReply;
using commands::AccountService;
using commands::CommandError;

constexpr size_t kMaxSchedulerThreads = 1024;

// The account rules (domain/account_rules.h) in the shape EventSourcedActor expects.
struct AccountModel {
  using State = domain::AccountState;
  using Command = AccountCommand;
  using Value = AccountCommandResult;
  using Receipt = domain::CommandReceipt;
  using Error = CommandError;

  static Error VersionConflict(std::string message, uint64_t actual_version) {
    return CommandError::VersionMismatch(std::move(message), actual_version);
  }

  static Status ValidateRoute(const Command& c) { return domain::ValidateAccountId(c.account_id); }
  static std::string StreamOf(const Command& c) { return domain::AccountStream(c.account_id); }
  static const std::string& IdempotencyKey(const Command& c) { return c.context.idempotency_key; }

  // The account's decision, its reservations turned into side appends: claims before the
  // account's events (taken back by a release if the command fails), releases after.
  static Result<detail::Decision<Receipt>, Error> Decide(const State& s, const Command& c,
                                                         std::chrono::system_clock::time_point now,
                                                         const detail::ActorEnvironment& env) {
    domain::Decided decided = domain::DecideAccountCommand(s, c, now, domain::DecideOptions{env.secret_key});
    if (!decided.ok()) return decided.error();
    detail::Decision<Receipt> decision;
    decision.events = std::move(decided->events);
    decision.receipt = std::move(decided->receipt);
    for (const domain::Reservation& r : decided->claims) {
      decision.before.push_back(detail::SideAppend{
          domain::ReservationStream(r),
          [r, context = c.context](const std::optional<events::RecordedEvent>& last) {
            return domain::DecideClaim(last, r, context);
          },
          [r, context = c.context](const std::optional<events::RecordedEvent>& last)
              -> Result<std::vector<events::EventData>> { return domain::DecideRelease(last, r, context); }});
    }
    for (const domain::Reservation& r : decided->releases) {
      decision.after.push_back(detail::SideAppend{
          domain::ReservationStream(r),
          [r, context = c.context](const std::optional<events::RecordedEvent>& last)
              -> Result<std::vector<events::EventData>> { return domain::DecideRelease(last, r, context); },
          nullptr});
    }
    return decision;
  }
  static Status Replay(State& s, const events::RecordedEvents& e) { return domain::ReplayAccount(s, e); }
  static uint64_t Version(const State& s) { return s.version; }
  static bool Exists(const State& s) { return s.exists(); }
  static std::string EncodeSnapshot(const State& s) { return domain::EncodeAccountSnapshot(s); }
  // What a snapshot of the state holds (its cost grows with it).
  static uint64_t SnapshotSize(const State& s) {
    uint64_t n = s.api_keys.size() + s.secrets.size();
    for (const auto& [kind, by_id] : s.resources) n += by_id.size();
    return n;
  }
  static Result<State> DecodeSnapshot(std::string_view bytes, uint64_t version) {
    return domain::DecodeAccountSnapshot(bytes, version);
  }
  static void NoteReceipt(Receipt& r, const events::RecordedEvent& e) {
    domain::NoteReceipt(r, e);
  }
  static Value MakeValue(const State& s, uint64_t position, const Receipt& r) {
    return domain::MakeCommandResult(s, position, r);
  }
};

using AccountEnvelope = detail::CommandEnvelope<AccountModel>;
using AccountDirectory = detail::Directory<AccountModel>;

class ActorAccountService final : public AccountService {
 public:
  ActorAccountService(caf::actor directory, const std::atomic<bool>& accepting)
      : directory_(std::move(directory)), accepting_(accepting) {}

  void Execute(AccountCommand command, AccountReply reply) override {
    if (!accepting_.load()) {
      reply(CommandError(Status::Unavailable("the actor runtime is shut down")));
      return;
    }
    // A message the directory never handles (it stopped meanwhile) is answered
    // kUnavailable by ReplyOnce when dropped.
    caf::anon_send(directory_,
                   AccountEnvelope{std::move(command),
                                   std::make_shared<detail::ReplyOnce<AccountCommandResult, CommandError>>(
                                       std::move(reply))});
  }

 private:
  caf::actor directory_;
  const std::atomic<bool>& accepting_;
};

class CafRuntime final : public Runtime {
 public:
  CafRuntime(store::EventLog& log, const RuntimeOptions& options, std::string secret_key)
      : env_(std::make_shared<detail::ActorEnvironment>(log, options.snapshot_every,
                                                        std::move(secret_key))),
        deterministic_(options.deterministic) {
    // CAF logs nothing to files or the console from here.
    config_.set("logger.file-verbosity", caf::atom("quiet"));
    config_.set("logger.console-verbosity", caf::atom("quiet"));
    if (deterministic_) {
      config_.set("scheduler.policy", caf::atom("testing"));
    } else {
      size_t threads = options.scheduler_threads;
      if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
      config_.set("scheduler.max-threads", threads);
      // A central queue whose idle workers sleep on a condition variable: work stealing's
      // idle workers poll (spin, then short sleeps), which on a small machine takes the
      // cores the I/O, commit and fold threads need.
      config_.set("scheduler.policy", caf::atom("sharing"));
    }
    system_ = std::make_unique<caf::actor_system>(config_);
    directory_ = system_->spawn<AccountDirectory>(env_);
    accounts_ = std::make_unique<ActorAccountService>(directory_, accepting_);
  }

  ~CafRuntime() override {
    Shutdown();
    accounts_.reset();
    directory_ = nullptr;
    system_.reset();  // joins the scheduler; every actor has exited
  }

  AccountService& accounts() override { return *accounts_; }

  size_t ActorsAlive() const override { return env_->alive.load(); }

  void Shutdown() override {
    std::lock_guard lock(shutdown_mu_);
    if (shut_down_) return;
    accepting_.store(false);
    if (deterministic_) {
      caf::anon_send(directory_, detail::shutdown_atom::value);
      RunUntilIdle();
      if (env_->alive.load() > 0) {
        // Appends that never complete (a test holding them back): stop regardless.
        caf::anon_send(directory_, detail::abort_atom::value);
        RunUntilIdle();
      }
    } else {
      caf::scoped_actor self{*system_};
      self->monitor(directory_);
      self->send(directory_, detail::shutdown_atom::value);
      // The directory exits once every account actor has drained and exited.
      self->receive([](const caf::down_msg&) {});
    }
    shut_down_ = true;
  }

  size_t RunUntilIdle() override {
    if (!deterministic_) return 0;
    return dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler()).run();
  }

 private:
  std::shared_ptr<detail::ActorEnvironment> env_;
  const bool deterministic_;
  std::atomic<bool> accepting_{true};
  caf::actor_system_config config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::actor directory_;
  std::unique_ptr<ActorAccountService> accounts_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
};

}  // namespace

Result<std::unique_ptr<Runtime>> Runtime::Start(store::EventLog& log,
                                                const RuntimeOptions& options) {
  if (options.scheduler_threads > kMaxSchedulerThreads) {
    return Status::InvalidArgument("scheduler_threads " + std::to_string(options.scheduler_threads) +
                                   " is more than " + std::to_string(kMaxSchedulerThreads));
  }
  std::string secret_key = options.secret_key;
  if (secret_key.empty()) {
    // No persisted key: secrets sealed now cannot be opened after a restart.
    Result<std::string> ephemeral = domain::GenerateSecretKey();
    if (!ephemeral.ok()) return ephemeral.status();
    secret_key = std::move(ephemeral).value();
  } else if (secret_key.size() != domain::kSecretKeyBytes) {
    return Status::InvalidArgument("secret_key must be 32 bytes, not " +
                                   std::to_string(secret_key.size()));
  }
  try {
    return std::unique_ptr<Runtime>(std::make_unique<CafRuntime>(log, options, std::move(secret_key)));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot start the actor system: ") + e.what());
  }
}

}  // namespace dialtone::actors
