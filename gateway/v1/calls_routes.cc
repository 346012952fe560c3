#include "gateway/v1/calls_routes.h"

#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "gateway/v1/openapi.h"

namespace dialtone::gateway::v1 {

namespace {

using Json = nlohmann::json;
namespace calls = projections::calls;

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The columns of a call record, in the order the CSV lists them.
const std::vector<std::string>& Columns() {
  static const std::vector<std::string> kColumns = {
      "call_id",  "direction", "from",         "to",       "trunk_id",      "started_at", "answered_at",
      "ended_at", "billsec",   "result",       "currency", "price_per_minute", "billed_seconds", "price"};
  return kColumns;
}

Json Render(const calls::CallRecord& c) {
  const auto seconds = [](int64_t ms) { return ms == 0 ? Json(nullptr) : Json(ms / 1000); };
  const auto text = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  int64_t billsec = 0;
  if (c.answer_ms != 0 && c.end_ms >= c.answer_ms) billsec = (c.end_ms - c.answer_ms) / 1000;
  return Json{{"call_id", c.call_id},
              {"account_id", c.account_id},
              {"direction", Lower(c.direction)},
              {"from", c.from},
              {"to", c.to},
              {"trunk_id", text(c.trunk_id)},
              {"started_at", c.create_ms / 1000},
              {"answered_at", seconds(c.answer_ms)},
              {"ended_at", seconds(c.end_ms)},
              {"billsec", billsec},
              {"result", c.result.empty() ? Json(nullptr) : Json(Lower(c.result))},
              {"currency", text(c.currency_code)},
              {"price_per_minute", text(c.price_per_minute)},
              {"billed_seconds", c.billing_duration_seconds},
              {"price", text(c.price)}};
}

// A cursor is "<create_ms>_<call_id>" of the last record of the page.
std::string CursorOf(const calls::CallRecord& c) { return std::to_string(c.create_ms) + "_" + c.call_id; }

}  // namespace

Status CallsRoutes::AddRoutes(Router& router) {
  return api_.AddAccountRoute(
      router, "GET", "/calls", {"cdr", std::string(kConfigScope)},
      [&view = calls_](const Request& request, const Principal&, const std::string& account) -> Result<Response, ApiError> {
        calls::CallQuery q;
        q.account_id = account;
        q.limit = kDefaultLimit;
        bool csv = false;
        for (const auto& [name, value] : request.query) {
          if (name == "account_id") continue;
          if (name == "since" || name == "until") {
            auto seconds = ParseInt(value);
            if (!seconds || *seconds < 0) {
              return ApiError::InvalidArgument(name + " must be epoch seconds", {{name, "got '" + value + "'"}});
            }
            (name == "since" ? q.create_begin_ms : q.create_end_ms) = *seconds * 1000;
          } else if (name == "limit") {
            auto limit = ParseInt(value);
            if (!limit || *limit < 1 || *limit > static_cast<int64_t>(kMaxLimit)) {
              return ApiError::InvalidArgument("limit must be an integer from 1 to 1000", {{"limit", "got '" + value + "'"}});
            }
            q.limit = static_cast<size_t>(*limit);
          } else if (name == "cursor") {
            const size_t cut = value.find('_');
            auto ms = cut == std::string::npos ? std::nullopt : ParseInt(std::string_view(value).substr(0, cut));
            if (!ms || cut + 1 >= value.size()) {
              return ApiError::InvalidArgument("cursor is not a cursor this API issued", {{"cursor", "malformed"}});
            }
            q.after_create_ms = *ms;
            q.after_call_id = value.substr(cut + 1);
          } else if (name == "format") {
            if (value != "csv" && value != "json") {
              return ApiError::InvalidArgument("format must be json or csv", {{"format", "got '" + value + "'"}});
            }
            csv = value == "csv";
          } else {
            return ApiError::InvalidArgument("unknown query parameter '" + name + "'",
                                             {{name, "not a parameter of /v1/calls (since, until, limit, cursor, format)"}});
          }
        }
        // One more than asked tells whether another page exists.
        const size_t wanted = q.limit;
        q.limit = wanted + 1;
        auto page = view.Find(q);
        if (!page.ok()) return FromStatus(page.status());
        const bool more = page->calls.size() > wanted;
        if (more) page->calls.resize(wanted);
        const Json next = more ? Json(CursorOf(page->calls.back())) : Json(nullptr);
        if (csv) {
          std::string out;
          for (size_t i = 0; i < Columns().size(); ++i) out += (i ? "," : "") + Columns()[i];
          out += "\r\n";
          for (const auto& c : page->calls) {
            const Json row = Render(c);
            for (size_t i = 0; i < Columns().size(); ++i) out += (i ? "," : "") + CsvField(row[Columns()[i]]);
            out += "\r\n";
          }
          Response response = Response::Text(200, std::move(out), "text/csv; charset=utf-8");
          if (more) response.headers.Set("x-next-cursor", next.get<std::string>());
          return response;
        }
        Json data = Json::array();
        for (const auto& c : page->calls) data.push_back(Render(c));
        return Response::Json(200, Json{{"data", std::move(data)}, {"next_cursor", next}}.dump());
      });
}

void CallsRoutes::DescribeRoutes(RouteDocument& document) const {
  using namespace openapi;
  const Json nullable_string = kNullableString;
  const Json nullable_int = kNullableInt;
  document.schemas["CallRecord"] = ObjectOf({{"call_id", kString},
                                    {"account_id", kString},
                                    {"direction", {{"type", "string"}, {"enum", {"inbound", "outbound", ""}}}},
                                    {"from", kString},
                                    {"to", kString},
                                    {"trunk_id", nullable_string},
                                    {"started_at", {{"type", "integer"}}},
                                    {"answered_at", nullable_int},
                                    {"ended_at", nullable_int},
                                    {"billsec", {{"type", "integer"}}},
                                    {"result", {{"type", {"string", "null"}},
                                                {"enum", {"completed", "no_answer", "cancel", "busy", "failed", nullptr}}}},
                                    {"currency", nullable_string},
                                    {"price_per_minute", nullable_string},
                                    {"billed_seconds", {{"type", "integer"}}},
                                    {"price", nullable_string}},
                                   {"call_id", "account_id", "direction", "from", "to", "trunk_id", "started_at",
                                    "answered_at", "ended_at", "billsec", "result", "currency", "price_per_minute",
                                    "billed_seconds", "price"});
  document.schemas["CallRecordPage"] = ListSchema("CallRecord");
  document.paths["/calls"]["get"] = {
      {"tags", {"cdr"}}, {"summary", "call records, newest first"}, {"operationId", "list_calls"},
      {"parameters", With(AccountParams(), {Param("since", "query", {{"type", "integer"}}),
                                            Param("until", "query", {{"type", "integer"}}),
                                            Param("limit", "query", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}),
                                            Param("cursor", "query", kString),
                                            Param("format", "query", {{"type", "string"}, {"enum", {"json", "csv"}}})})},
      {"responses", Responses({{200, Json{{"application/json", {{"schema", Ref("CallRecordPage")}}},
                                          {"text/csv", {{"schema", kString}}}}}},
                              kReadErrors)}};

}

}  // namespace dialtone::gateway::v1
