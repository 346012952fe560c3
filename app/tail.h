// `dialtone events tail`: prints events of the global log as JSON lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "app/stop_signal.h"
#include "common/status.h"
#include "gateway/http_client.h"
#include "store/event_log.h"

namespace dialtone::app {

struct TailOptions {
  uint64_t after = 0;               // print events with position > after
  std::optional<uint64_t> limit;    // stop after this many events (nullopt = no limit)
  bool follow = false;              // after the existing events, wait for new ones
};

// Receives one line (events::ToJsonLine, no newline) per event, in position order.
using LineWriter = std::function<void(std::string_view line)>;

// Without follow: writes the events after `options.after` up to the head, then returns.
// With follow: then keeps writing new events as they are appended until `stop` is
// requested or `limit` events were written (it then requests `stop` itself).
Status TailEvents(const store::EventLog& log, const TailOptions& options, const LineWriter& write,
                  StopSignal& stop);

// A running server to tail through GET /v1/events (for when the server holds the data
// folder's lock).
struct HttpTailSource {
  gateway::HttpUrl url;
  std::string admin_key;                                   // sent as x-api-key
  std::chrono::milliseconds poll_interval{500};            // follow: wait when caught up
  std::chrono::milliseconds request_timeout{10'000};
};

// As TailEvents, reading pages of GET /v1/events. Errors: kUnavailable (the server cannot
// be reached), kInvalidArgument (the admin key was rejected), kIOError (another error
// status or a malformed body).
Status TailEventsOverHttp(const HttpTailSource& source, const TailOptions& options,
                          const LineWriter& write, StopSignal& stop);

}  // namespace dialtone::app
