// EST call blocking rules and country permissions.
#include "gateway/est/est_impl.h"

#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/json_body.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::RuleBody(const Ctx& ctx, bool put) -> Result<Json, ApiError> {
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json converted = Json::object();
  ToModel(kRuleFields, *body, "", {}, "a call blocking rule", &converted, &errors);
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  return put ? PutAsPatch(Spec("call_blocking_rule"), kRuleFields, std::move(converted)) : converted;
}

auto EstApi::Impl::ListRules(Ctx& ctx) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto rows = ListAll(ctx, "call_blocking_rule");
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) items.push_back(RenderRule(row));
  return JsonResponse(200, Envelope("callBlockingRules", items, *paging));
}

auto EstApi::Impl::CreateRule(Ctx& ctx) -> Reply {
  auto body = RuleBody(ctx, false);
  if (!body.ok()) return body.error();
  auto row = WriteRow(ctx, Op::kCreate, "call_blocking_rule", "", std::move(body).value(), kRuleFields);
  if (!row.ok()) return row.error();
  return JsonResponse(201, RenderRule(*row));
}

auto EstApi::Impl::GetRule(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
  if (!row.ok()) return row.error();
  return JsonResponse(200, RenderRule(*row));
}

auto EstApi::Impl::PutRule(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
  if (!row.ok()) return row.error();
  auto body = RuleBody(ctx, true);
  if (!body.ok()) return body.error();
  auto updated = WriteRow(ctx, Op::kPatch, "call_blocking_rule", row->id, std::move(body).value(), kRuleFields);
  if (!updated.ok()) return updated.error();
  return JsonResponse(200, RenderRule(*updated));
}

auto EstApi::Impl::DeleteRule(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
  if (!row.ok()) return row.error();
  auto r = Write(ctx, Op::kDelete, "call_blocking_rule", row->id, Json::object());
  if (!r.ok()) return r.error();
  return NoContent();
}

auto EstApi::Impl::RenderCountry(const refdata::Country& c, bool enabled) -> Json {
  return Json{{"isoCode", c.iso_code},
              {"name", c.name},
              {"continent", c.continent},
              {"countryDialingCodes", c.country_dialing_codes},
              {"enabled", enabled}};
}

auto EstApi::Impl::LoadPermissions(const Ctx& ctx) -> Result<Permissions, ApiError> {
  constexpr int kMaxAncestors = 8;  // a reseller chain is short; this bounds a damaged one
  auto settings_of = [](const std::vector<ResourceRow>& rows) {
    model::CountrySettings settings;
    for (const auto& row : rows) settings[DocString(row.document, "iso_code")] = DocInt(row.document, "enabled") != 0;
    return settings;
  };
  auto rows = ListAll(ctx, "country_permission");
  if (!rows.ok()) return rows.error();
  std::map<std::string, std::string> own_ids;
  for (const auto& row : *rows) own_ids[DocString(row.document, "iso_code")] = row.id;
  std::vector<model::CountrySettings> ancestors;
  std::string account = ctx.account;
  for (int depth = 0; depth < kMaxAncestors; ++depth) {
    auto row = LoadAccountRow(view, account);
    if (!row.ok()) return row.error();
    if (!row->has_value()) break;
    account = DocString((**row).document, "parent_id");
    if (account.empty()) break;
    auto inherited = ListAllOf(account, "country_permission");
    if (!inherited.ok()) return inherited.error();
    ancestors.push_back(settings_of(*inherited));
  }
  return Permissions{model::CountryPermissions(settings_of(*rows), ancestors), std::move(own_ids)};
}

auto EstApi::Impl::Table() -> Result<const refdata::CountryTable*, ApiError> {
  const refdata::CountryTable& table = refdata::Countries();
  if (!table.load_status().ok()) {
    return ApiError::Internal("the country table is unavailable: " + table.load_status().message());
  }
  return &table;
}

auto EstApi::Impl::AddPermissionStep(const Permissions& permissions, const std::string& iso, bool enabled, std::vector<Step>& steps) -> void {
  switch (permissions.rules.ChangeFor(iso, enabled)) {
    case model::CountryPermissions::Change::kNone:
      return;
    case model::CountryPermissions::Change::kCreate:
      steps.push_back(MakeStep(Op::kCreate, "country_permission", "", Json{{"iso_code", iso}, {"enabled", enabled ? 1 : 0}}));
      return;
    case model::CountryPermissions::Change::kUpdate:
      steps.push_back(MakeStep(Op::kPatch, "country_permission", permissions.own_ids.at(iso), Json{{"enabled", enabled ? 1 : 0}}));
      return;
  }
}

auto EstApi::Impl::ListCountryPermissions(Ctx& ctx) -> Reply {
  auto table = Table();
  if (!table.ok()) return table.error();
  auto permissions = LoadPermissions(ctx);
  if (!permissions.ok()) return permissions.error();
  Json items = Json::array();
  for (const auto& c : (*table)->all()) items.push_back(RenderCountry(c, permissions->Enabled(c.iso_code)));
  return JsonResponse(200, Json{{"countryPermissions", std::move(items)}});
}

auto EstApi::Impl::PutCountryPermissions(Ctx& ctx) -> Reply {
  auto table = Table();
  if (!table.ok()) return table.error();
  auto body = ParseBody(ctx.request);
  if (!body.ok()) return body.error();
  const Json* list = &*body;
  std::string prefix;
  if (body->is_object()) {
    for (const auto& [k, v] : body->items()) {
      if (k != "countryPermissions") return InvalidFrom({{k, "is not a field of this request"}});
    }
    auto it = body->find("countryPermissions");
    if (it == body->end()) return InvalidFrom({{"countryPermissions", "is required"}});
    list = &*it;
    prefix = "countryPermissions";
  }
  if (!list->is_array()) return InvalidFrom({{prefix, "must be an array of country permissions"}});
  std::map<std::string, bool> wanted;
  std::vector<ErrorDetail> errors;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string path = prefix + "[" + std::to_string(i) + "]";
    const Json& item = (*list)[i];
    if (!item.is_object()) {
      errors.push_back({path, "must be an object"});
      continue;
    }
    std::string iso;
    bool enabled = true;
    for (const auto& [k, v] : item.items()) {
      if (k == "isoCode") {
        if (!v.is_string() || !(*table)->Find(v.get<std::string>())) {
          errors.push_back({path + ".isoCode", "must be an ISO 3166-1 alpha-2 country code"});
        } else {
          iso = Upper(v.get<std::string>());
        }
      } else if (k == "enabled") {
        if (!v.is_boolean()) errors.push_back({path + ".enabled", "must be a boolean"});
        else enabled = v.get<bool>();
      } else if (k != "name" && k != "continent" && k != "countryDialingCodes") {
        errors.push_back({path + "." + k, "is not a field of a country permission"});
      }
    }
    if (!item.contains("isoCode")) errors.push_back({path + ".isoCode", "is required"});
    if (!iso.empty()) wanted[iso] = enabled;
  }
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  auto permissions = LoadPermissions(ctx);
  if (!permissions.ok()) return permissions.error();
  std::vector<Json> enabled_items;
  std::vector<Step> steps;
  for (const auto& c : (*table)->all()) {
    auto it = wanted.find(c.iso_code);
    const bool enabled = it != wanted.end() && it->second;
    AddPermissionStep(*permissions, c.iso_code, enabled, steps);
    if (enabled) enabled_items.push_back(RenderCountry(c, true));
  }
  // Every country changes in one write: the table is never left half set.
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return JsonResponse(200, Json{{"countryPermissions", enabled_items}});
}

auto EstApi::Impl::CountryOfPath(const Ctx& ctx) -> Result<refdata::Country, ApiError> {
  auto table = Table();
  if (!table.ok()) return table.error();
  auto country = (*table)->Find(ctx.Param("isoCode"));
  if (!country) return ApiError::NotFound("country '" + ctx.Param("isoCode") + "' not found");
  return *country;
}

auto EstApi::Impl::GetCountryPermission(Ctx& ctx) -> Reply {
  auto country = CountryOfPath(ctx);
  if (!country.ok()) return country.error();
  auto permissions = LoadPermissions(ctx);
  if (!permissions.ok()) return permissions.error();
  return JsonResponse(200, RenderCountry(*country, permissions->Enabled(country->iso_code)));
}

auto EstApi::Impl::PutCountryPermission(Ctx& ctx) -> Reply {
  auto country = CountryOfPath(ctx);
  if (!country.ok()) return country.error();
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  for (const auto& [k, v] : body->items()) {
    if (k != "enabled" && k != "isoCode" && k != "name" && k != "continent" && k != "countryDialingCodes") {
      errors.push_back({k, "is not a field of a country permission"});
    }
  }
  auto it = body->find("enabled");
  if (it == body->end() || !it->is_boolean()) errors.push_back({"enabled", "is required and must be a boolean"});
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  auto permissions = LoadPermissions(ctx);
  if (!permissions.ok()) return permissions.error();
  std::vector<Step> steps;
  AddPermissionStep(*permissions, country->iso_code, it->get<bool>(), steps);
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return JsonResponse(200, RenderCountry(*country, it->get<bool>()));
}

}  // namespace dialtone::gateway::est
