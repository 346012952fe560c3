// JSON rendering of any recorded event: the envelope's fields plus `data`, the payload
// decoded through the event type registry (or `payload_base64` for an unknown type).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "events/event.h"

namespace dialtone::events {

nlohmann::json ToJson(const RecordedEvent& event);
// One line of JSON, no trailing newline.
std::string ToJsonLine(const RecordedEvent& event);

}  // namespace dialtone::events
