// EST phone numbers and the call search.
#include "gateway/est/est_impl.h"

#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/json_body.h"
#include "refdata/e164.h"
#include "refdata/time_filter.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::ListNumbers(Ctx& ctx) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  Filters filters;
  if (auto trunk = ctx.request.QueryParam("sipTrunkId")) filters.emplace_back("trunk_id", std::string(*trunk));
  std::string contains;
  if (auto filter = ctx.request.QueryParam("filter")) {
    contains = std::string(*filter);
    contains.erase(std::remove_if(contains.begin(), contains.end(), [](char c) { return c == '+' || c == ' '; }),
                   contains.end());
  }
  // sort=property,(ascending|descending), repeatable: the first is the primary key.
  struct SortKey {
    std::string property;
    bool descending = false;
  };
  static const std::set<std::string> kSortable = {"id", "phoneNumber", "countryCode", "sipTrunkId", "createTime",
                                                  "updateTime"};
  std::vector<SortKey> sort;
  for (const auto& [name, value] : ctx.request.query) {
    if (name != "sort") continue;
    const size_t comma = value.find(',');
    SortKey key{value.substr(0, comma)};
    const std::string direction = comma == std::string::npos ? "ascending" : Lower(value.substr(comma + 1));
    if (!kSortable.contains(key.property) ||
        (direction != "ascending" && direction != "descending" && direction != "asc" && direction != "desc")) {
      return ApiError::InvalidArgument("sort '" + value + "' is not property,(ascending|descending)",
                                       {{"sort", "properties: id, phoneNumber, countryCode, sipTrunkId, createTime, "
                                                 "updateTime"}});
    }
    key.descending = direction == "descending" || direction == "desc";
    sort.push_back(std::move(key));
  }
  auto rows = ListAll(ctx, "did", std::move(filters));
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) {
    if (!contains.empty() && DocString(row.document, "e164").find(contains) == std::string::npos) continue;
    items.push_back(RenderNumber(row));
  }
  if (!sort.empty()) {
    std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
      for (const SortKey& key : sort) {
        const Json& x = a[key.property];
        const Json& y = b[key.property];
        if (x == y) continue;
        return key.descending ? y < x : x < y;  // null sorts first
      }
      return false;
    });
  }
  return JsonResponse(200, Envelope("phoneNumbers", items, *paging));
}

auto EstApi::Impl::GetNumber(Ctx& ctx) -> Reply {
  const std::string text = ctx.Param("phoneNumber");
  auto number = refdata::ParseE164(text);
  if (!number.ok()) {
    return ApiError::InvalidArgument("'" + text + "' is not an E.164 number: " + number.status().message(),
                                     {{"phoneNumber", number.status().message()}});
  }
  auto rows = ListAll(ctx, "did", {{"e164", number->digits}});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return ApiError::NotFound("phone number '" + number->with_plus + "' not found");
  return JsonResponse(200, RenderNumber(rows->front()));
}

auto EstApi::Impl::Money(const std::string& currency, const std::string& amount) -> Json {
  if (amount.empty()) return nullptr;
  return Json{{"currencyCode", currency}, {"amount", amount}};
}

auto EstApi::Impl::PlusIfNumber(const std::string& address) -> Json {
  if (!address.empty() && std::all_of(address.begin(), address.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return "+" + address;
  }
  return address;
}

auto EstApi::Impl::RenderCall(const projections::calls::CallRecord& c) -> Json {
  const auto time = [](int64_t ms) { return ms == 0 ? Json(nullptr) : Json(refdata::FormatRfc3339(ms)); };
  int64_t duration = 0;
  if (c.answer_ms != 0 && c.end_ms >= c.answer_ms) duration = (c.end_ms - c.answer_ms) / 1000;
  return Json{{"callId", c.call_id},
              {"from", PlusIfNumber(c.from)},
              {"to", PlusIfNumber(c.to)},
              {"direction", c.direction},
              {"answerTime", time(c.answer_ms)},
              {"endTime", time(c.end_ms)},
              {"durationSeconds", duration},
              {"callResult", c.result.empty() ? Json(nullptr) : Json(c.result)},
              {"pricePerMinute", Money(c.currency_code, c.price_per_minute)},
              {"billingDurationSeconds", c.billing_duration_seconds},
              {"price", Money(c.currency_code, c.price)},
              {"createTime", refdata::FormatRfc3339(c.create_ms)},
              {"projectId", c.account_id},
              {"trunkId", c.trunk_id.empty() ? Json(nullptr) : Json(c.trunk_id)}};
}

auto EstApi::Impl::EnumSet(std::string_view param, std::string_view text, const std::set<std::string>& allowed) -> Result<std::set<std::string>, ApiError> {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    std::string value = Upper(std::string(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (!allowed.contains(value)) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      return ApiError::InvalidArgument(std::string(param) + " '" + value + "' is not one of " + names,
                                       {{std::string(param), "must be one of " + names}});
    }
    out.insert(value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

auto EstApi::Impl::NumberPrefix(std::string_view text) -> std::string {
  std::string out(text);
  while (!out.empty() && (out.front() == ' ' || out.front() == '+')) out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

auto EstApi::Impl::ParseCallSearch(const Ctx& ctx) -> Result<CallSearch, ApiError> {
  const Request& r = ctx.request;
  CallSearch search;
  projections::calls::CallQuery& q = search.query;
  q.account_id = ctx.account;
  if (auto v = r.QueryParam("from")) q.from_prefix = NumberPrefix(*v);
  if (auto v = r.QueryParam("to")) q.to_prefix = NumberPrefix(*v);
  if (auto v = r.QueryParam("trunkId")) q.trunk_id = std::string(*v);
  if (auto v = r.QueryParam("callResult")) {
    auto set = EnumSet("callResult", *v, {"COMPLETED", "NO_ANSWER", "CANCEL", "BUSY", "FAILED"});
    if (!set.ok()) return set.error();
    q.results = std::move(set).value();
  }
  if (auto v = r.QueryParam("direction")) {
    auto set = EnumSet("direction", *v, {"INBOUND", "OUTBOUND"});
    if (!set.ok()) return set.error();
    q.directions = std::move(set).value();
  }
  for (const auto& [param, field] : {std::pair{"fromCountryCode", &q.from_country}, {"toCountryCode", &q.to_country}}) {
    if (auto v = r.QueryParam(param)) {
      auto table = Table();
      if (!table.ok()) return table.error();
      auto country = (*table)->Find(*v);
      if (!country) {
        return ApiError::InvalidArgument(std::string(param) + " '" + std::string(*v) + "' is not an ISO country code",
                                         {{param, "must be an ISO 3166-1 alpha-2 code"}});
      }
      *field = country->iso_code;
    }
  }
  bool emergency_only = false;
  if (auto v = r.QueryParam("emergencyOnly")) {
    if (*v == "true") emergency_only = true;
    else if (*v != "false" && *v != "null" && !v->empty()) {
      return ApiError::InvalidArgument("emergencyOnly must be true, false or null",
                                       {{"emergencyOnly", "must be true, false or null"}});
    }
  }
  const int64_t now = options.now_s ? options.now_s()
                                    : std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::string> conditions;
  for (const auto& [key, value] : r.query) {
    if (auto condition = refdata::CreateTimeConditionFromQuery(key, value)) conditions.push_back(*condition);
  }
  const auto start = r.QueryParam("createTimeStart");
  const auto end = r.QueryParam("createTimeEnd");
  refdata::TimeRange range;
  if (!conditions.empty() || (!start && !end)) {
    auto parsed = refdata::ParseCreateTimeFilter(std::span<const std::string>(conditions), now);
    if (!parsed.ok()) {
      return ApiError::InvalidArgument("createTime: " + parsed.status().message(),
                                       {{"createTime", parsed.status().message()}});
    }
    range = *parsed;
  }
  for (const auto& [param, bound] : {std::pair{"createTimeStart", start}, {"createTimeEnd", end}}) {
    if (!bound) continue;
    auto instant = refdata::ParseInstantMs(*bound);
    if (!instant.ok()) {
      return ApiError::InvalidArgument(std::string(param) + ": " + instant.status().message(),
                                       {{param, instant.status().message()}});
    }
    if (std::string_view(param) == "createTimeStart") {
      range.begin_ms = std::max(range.begin_ms, *instant);
    } else {
      q.ended_by_ms = *instant;  // "the time that the call ended": ended, at or before it
    }
  }
  q.create_begin_ms = range.begin_ms;
  q.create_end_ms = range.end_ms;
  // Call records carry no emergency flag yet: no recorded call is an emergency call.
  search.matches_nothing = emergency_only || range.begin_ms >= range.end_ms;
  return search;
}

auto EstApi::Impl::FindCalls(Ctx& ctx) -> Reply {
  if (calls == nullptr) return ApiError::Unavailable("the call-record view is not running");
  auto paging = ParsePaging(ctx.request, kDefaultCallsPageSize);
  if (!paging.ok()) return paging.error();
  auto search = ParseCallSearch(ctx);
  if (!search.ok()) return search.error();
  projections::calls::CallQuery& q = search->query;
  q.offset = (paging->page - 1) * paging->size;
  q.limit = paging->size;
  Json items = Json::array();
  size_t total = 0;
  if (!search->matches_nothing) {
    auto page = calls->Find(q);
    if (!page.ok()) return FromStatus(page.status());
    for (const auto& c : page->calls) items.push_back(RenderCall(c));
    total = page->total;
  }
  return JsonResponse(200, Json{{"calls", std::move(items)},
                             {"totalItems", total},
                             {"pageNumber", paging->page},
                             {"pageSize", paging->size}});
}

auto EstApi::Impl::ExportCalls(Ctx& ctx) -> Reply {
  if (calls == nullptr) return ApiError::Unavailable("the call-record view is not running");
  auto search = ParseCallSearch(ctx);
  if (!search.ok()) return search.error();
  std::string name = std::string(ctx.request.QueryParam("fileName").value_or("calls"));
  name.erase(std::remove_if(name.begin(), name.end(),
                            [](unsigned char c) { return !(std::isalnum(c) || c == '-' || c == '_' || c == '.'); }),
             name.end());
  if (name.empty()) name = "calls";
  if (name.size() < 4 || name.compare(name.size() - 4, 4, ".csv") != 0) name += ".csv";
  static const std::vector<std::string> kColumns = {
      "callId", "from", "to", "direction", "answerTime", "endTime", "durationSeconds", "callResult",
      "currencyCode", "pricePerMinute", "billingDurationSeconds", "price", "createTime", "projectId", "trunkId"};
  std::string out;
  for (size_t i = 0; i < kColumns.size(); ++i) out += (i ? "," : "") + kColumns[i];
  out += "\r\n";
  if (!search->matches_nothing) {
    projections::calls::CallQuery& q = search->query;
    q.offset = 0;
    q.limit = kMaxExportedCalls;
    auto page = calls->Find(q);
    if (!page.ok()) return FromStatus(page.status());
    for (const auto& c : page->calls) {
      Json row = RenderCall(c);
      row["currencyCode"] = c.currency_code.empty() ? Json(nullptr) : Json(c.currency_code);
      row["pricePerMinute"] = c.price_per_minute.empty() ? Json(nullptr) : Json(c.price_per_minute);
      row["price"] = c.price.empty() ? Json(nullptr) : Json(c.price);
      for (size_t i = 0; i < kColumns.size(); ++i) out += (i ? "," : "") + CsvField(row[kColumns[i]]);
      out += "\r\n";
    }
  }
  Response response = Response::Text(200, std::move(out), "text/csv; charset=utf-8");
  response.headers.Set("content-disposition", "attachment; filename=\"" + name + "\"");
  return response;
}

}  // namespace dialtone::gateway::est
