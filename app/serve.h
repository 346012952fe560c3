// `dialtone serve`: opens the event log, starts the actor runtime and the HTTP listener,
// runs until stopped, then shuts down in order (HTTP drain, actors, log).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.h"
#include "app/stop_signal.h"
#include "common/status.h"

namespace dialtone::app {

struct ServeEnvironment {
  std::optional<std::string> admin_key;   // DIALTONE_ADMIN_KEY, if set
  // Receives the lines meant for the operator's stdout: a newly created admin key, a
  // "media: …" line when the start removed unreferenced media objects (or could not),
  // then "listening on http://HOST:PORT" once the server accepts connections.
  std::function<void(std::string_view line)> announce;
};

// Runs the server until `stop` is requested. Every startup failure returns an error with
// a one-line message and leaves nothing running or listening, and no new admin key
// behind. Errors: kInvalidArgument/kIOError/kBusy/kCorruption/kNotFound from opening the
// data folder, the log, the admin key or the listener.
Status Serve(const ServeConfig& config, const ServeEnvironment& environment, const StopSignal& stop);

}  // namespace dialtone::app
