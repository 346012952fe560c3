// The deployment's OAuth2 token key: read from the log (stream "platform-token-key"), or
// made and appended there once by the first node that needs it. Sealed with the node key,
// so every node holding that key accepts every node's tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::app {

inline constexpr std::string_view kTokenKeyStream = "platform-token-key";

// The key (32 raw bytes); when the log has none: nullopt, or with `create` a new one,
// appended (if another node appended one first, that one). Errors: the log's;
// kCorruption when the stored key does not decode or open with `node_key` (a data folder
// of another deployment).
Result<std::optional<std::string>> LoadOrCreateTokenKey(store::EventLog& log, std::string_view node_key, bool create);

}  // namespace dialtone::app
