// The plain C++ view of an event, shared by every module. No protobuf or CAF here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dialtone::events {

// What a producer hands to the log. The log assigns position, version and time.
struct EventData {
  std::string type;            // a registered event type, e.g. "account.created"
  std::string payload;         // serialized protobuf message of that type
  std::string event_id;        // optional; the log assigns a UUID when empty
  std::string causation_id;
  std::string correlation_id;
  std::string principal;
};

// An event as stored: its envelope plus payload.
struct RecordedEvent {
  uint64_t position = 0;        // global, 1-based, gap-free
  std::string stream;
  uint64_t version = 0;         // per stream, 1-based, contiguous
  std::string type;
  int64_t time_ms = 0;
  std::string event_id;
  std::string causation_id;
  std::string correlation_id;
  std::string idempotency_key;
  std::string principal;
  std::string payload;

  bool operator==(const RecordedEvent&) const = default;
};

using RecordedEvents = std::vector<RecordedEvent>;

}  // namespace dialtone::events
