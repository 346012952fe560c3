// The actor runtime: a CAF 0.17 actor system sized for the machine, plus the services
// that route commands into it. CAF types stay behind this header.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "commands/account_commands.h"
#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::actors {

struct RuntimeOptions {
  size_t scheduler_threads = 0;     // 0 = one per hardware thread
  uint64_t snapshot_every = 100;    // events between account snapshots (0 = never)
  // Tests only: run every actor on CAF's deterministic test scheduler. Nothing runs until
  // the owning thread calls Runtime::RunUntilIdle(); every call into the runtime (and the
  // log's append completions) must then come from that one thread, and ExecuteAndWait
  // must not be used (nothing would run while it waits). scheduler_threads is ignored.
  bool deterministic = false;
  // The node key sealing secret values (AES-256-GCM): exactly 32 raw bytes, the same on
  // every start (see LoadOrCreateSecretKeyFile in domain/secret_box.h; the app keeps it at
  // <data>/secret.key). Empty: an ephemeral random key is generated, so secrets sealed by
  // this runtime cannot be opened after a restart (tests only).
  std::string secret_key;
};

class Runtime {
 public:
  // `log` must outlive the runtime. Errors: kInvalidArgument (scheduler_threads > 1024, a
  // secret_key that is neither empty nor 32 bytes), kInternal (CAF could not start).
  static Result<std::unique_ptr<Runtime>> Start(store::EventLog& log, const RuntimeOptions& options);
  virtual ~Runtime() = default;

  // The account commands, carried out by one actor per account.
  virtual commands::AccountService& accounts() = 0;
  // Actors currently running (accounts and any others the runtime owns): today the
  // account directory plus one actor per account in memory; 0 after Shutdown().
  virtual size_t ActorsAlive() const = 0;
  // Stops accepting commands, lets in-flight appends finish, stops every actor. Idempotent.
  // Commands accepted before it are answered; later ones get kUnavailable. Blocks until
  // the actors have stopped: never call it from a reply callback.
  virtual void Shutdown() = 0;

  // Deterministic mode only: delivers messages until no actor has work left and returns
  // how many were processed. Returns 0 in the normal (threaded) mode.
  virtual size_t RunUntilIdle() { return 0; }
};

}  // namespace dialtone::actors
