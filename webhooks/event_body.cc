#include "webhooks/event_body.h"

namespace dialtone::webhooks {

Result<std::string> BuildEventBody(std::string_view event, std::string_view account_id,
                                   const nlohmann::json& data, int64_t ts) {
  if (event.empty()) return Status::InvalidArgument("webhook event body: the event name is empty");
  if (account_id.empty()) return Status::InvalidArgument("webhook event body: the account id is empty");
  if (!data.is_object()) {
    return Status::InvalidArgument(std::string("webhook event body: data must be a JSON object, not ") +
                                   data.type_name());
  }
  if (ts < 0) return Status::InvalidArgument("webhook event body: ts must be epoch seconds >= 0");
  try {
    nlohmann::ordered_json body;
    body["event"] = std::string(event);
    body["account_id"] = std::string(account_id);
    body["data"] = nlohmann::ordered_json::parse(data.dump());
    body["ts"] = ts;
    return body.dump();
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a string
    return Status::InvalidArgument(std::string("webhook event body: ") + e.what());
  }
}

}  // namespace dialtone::webhooks
