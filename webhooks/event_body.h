// The JSON body of every webhook delivery: {"event", "account_id", "data", "ts"}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace dialtone::webhooks {

// Serialises {"event":E,"account_id":A,"data":D,"ts":T} compactly, keys in that order.
// `ts` is epoch seconds. Errors (kInvalidArgument): an empty event or account id, `data`
// that is not a JSON object, a negative ts, strings that are not valid UTF-8.
Result<std::string> BuildEventBody(std::string_view event, std::string_view account_id,
                                   const nlohmann::json& data, int64_t ts);

}  // namespace dialtone::webhooks
