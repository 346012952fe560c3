#include "gateway/v1/events_routes.h"

#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "gateway/v1/openapi.h"
#include "events/json.h"

namespace dialtone::gateway::v1 {

namespace {

// A plain non-negative decimal that fits in uint64; nullopt otherwise (sign, spaces,
// hex, empty, overflow).
std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

Response Unauthorized(const Router& router, const Request& request) {
  const bool presented = PresentedApiKey(request).has_value();
  Response response = router.RenderError(
      request, 401, "UNAUTHENTICATED",
      presented ? "the API key is not valid"
                : "an admin key is required (x-api-key header or Authorization: Bearer)");
  response.headers.Set("www-authenticate", "Bearer realm=\"dialtone\"");
  return response;
}

}  // namespace

Status EventsRoutes::AddRoutes(Router& router) {
  const Router* errors = &router;
  return router.Add("GET", "/events", [&log = log_, admin_key = admin_key_, options = options_, errors](
                                          Request request, Responder responder) {
    if (!IsAuthorizedAdmin(request, admin_key)) {
      responder.Send(Unauthorized(*errors, request));
      return;
    }
    uint64_t after = 0;
    if (auto text = request.QueryParam("after")) {
      auto parsed = ParseUnsigned(*text);
      if (!parsed) {
        responder.Send(errors->RenderError(request, 400, "INVALID_ARGUMENT",
                                           "after must be a non-negative integer position"));
        return;
      }
      after = *parsed;
    }
    size_t limit = options.default_limit;
    if (auto text = request.QueryParam("limit")) {
      auto parsed = ParseUnsigned(*text);
      if (!parsed || *parsed < 1 || *parsed > options.max_limit) {
        responder.Send(errors->RenderError(
            request, 400, "INVALID_ARGUMENT",
            "limit must be an integer from 1 to " + std::to_string(options.max_limit)));
        return;
      }
      limit = static_cast<size_t>(*parsed);
    }

    nlohmann::json events = nlohmann::json::array();
    uint64_t next_after = after;
    if (after < log.HeadPosition()) {
      store::ReadAllOptions read;
      read.from_position = after + 1;
      read.max_count = limit;
      auto batch = log.ReadAll(read);
      if (!batch.ok()) {
        responder.Send(errors->RenderError(request, 500, "INTERNAL",
                                           "reading the log failed: " + batch.status().ToString()));
        return;
      }
      for (const auto& event : *batch) {
        events.push_back(events::ToJson(event));
        next_after = event.position;
      }
    }
    // Read after the events, so next_after <= head always holds.
    const uint64_t head = log.HeadPosition();
    nlohmann::json body = {{"events", std::move(events)}, {"next_after", next_after}, {"head", head}};
    responder.Send(Response::Json(
        200, DumpJson(body)));
  });
}

void EventsRoutes::DescribeRoutes(RouteDocument& document) const {
  using namespace openapi;
  document.schemas["Event"] = ObjectOf({{"position", {{"type", "integer"}}},
                               {"stream", kString},
                               {"version", {{"type", "integer"}}},
                               {"type", kString},
                               {"time_ms", {{"type", "integer"}}},
                               {"event_id", kString},
                               {"causation_id", kString},
                               {"correlation_id", kString},
                               {"idempotency_key", kString},
                               {"principal", kString},
                               {"data", {{"type", "object"}}},
                               {"payload_base64", kString}},
                              {"position", "stream", "version", "type", "time_ms", "event_id"});
  document.schemas["EventPage"] = ObjectOf({{"events", {{"type", "array"}, {"items", Ref("Event")}}},
                                   {"next_after", {{"type", "integer"}}},
                                   {"head", {{"type", "integer"}}}},
                                  {"events", "next_after", "head"});
  document.paths["/events"]["get"] = {
      {"tags", {"ops"}}, {"summary", "the event log, in position order (admin key)"}, {"operationId", "list_events"},
      {"parameters", Json::array({Param("after", "query", {{"type", "integer"}}), Param("limit", "query", {{"type", "integer"}})})},
      {"responses", Responses({{200, JsonContent(Ref("EventPage"))}}, {400, 401})}};

}

}  // namespace dialtone::gateway::v1
