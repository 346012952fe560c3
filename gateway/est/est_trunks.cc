// EST trunks, their endpoints, and their bindings to access control lists and credential lists.
#include "gateway/est/est_impl.h"

#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/json_body.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::DomainUnavailable() -> ApiError {
  return ApiError::InvalidArgument("The provided domain name is unavailable",
                                   {{"hostName", "The provided domain name is unavailable"}});
}

auto EstApi::Impl::TrunkBody(const Ctx& ctx, bool put) -> Result<Json, ApiError> {
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json converted = Json::object();
  ToModel(kTrunkFields, *body, "", {}, "a SIP trunk", &converted, &errors);
  if (!body->contains("hostName") || (*body)["hostName"].is_null()) errors.push_back({"hostName", "is required"});
  if (!body->contains("name") || (*body)["name"].is_null()) errors.push_back({"name", "is required"});
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  return put ? PutAsPatch(Spec("sip_trunk"), kTrunkFields, std::move(converted)) : converted;
}

auto EstApi::Impl::ListTrunks(Ctx& ctx) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  Filters filters;
  if (auto domain = ctx.request.QueryParam("domain")) filters.emplace_back("domain", Lower(std::string(*domain)));
  auto rows = ListAll(ctx, "sip_trunk", std::move(filters));
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) items.push_back(RenderTrunk(row));
  return JsonResponse(200, Envelope("trunks", items, *paging));
}

auto EstApi::Impl::CreateTrunk(Ctx& ctx) -> Reply {
  auto body = TrunkBody(ctx, false);
  if (!body.ok()) return body.error();
  auto row = WriteRow(ctx, Op::kCreate, "sip_trunk", "", std::move(body).value(), kTrunkFields);
  if (!row.ok()) return row.error().code == "ALREADY_EXISTS" ? DomainUnavailable() : row.error();
  return JsonResponse(201, RenderTrunk(*row));
}

auto EstApi::Impl::GetTrunk(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!row.ok()) return row.error();
  return JsonResponse(200, RenderTrunk(*row));
}

auto EstApi::Impl::PutTrunk(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!row.ok()) return row.error();
  auto body = TrunkBody(ctx, true);
  if (!body.ok()) return body.error();
  auto updated = WriteRow(ctx, Op::kPatch, "sip_trunk", row->id, std::move(body).value(), kTrunkFields);
  if (!updated.ok()) return updated.error().code == "ALREADY_EXISTS" ? DomainUnavailable() : updated.error();
  return JsonResponse(200, RenderTrunk(*updated));
}

auto EstApi::Impl::DeleteTrunk(Ctx& ctx) -> Reply {
  auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!row.ok()) return row.error();
  using Action = commands::CascadeRule::Action;
  Step step = MakeStep(Op::kDelete, "sip_trunk", row->id);
  step.cascade = {{"sip_endpoint", "trunk_id", Action::kDelete},
                  {"trunk_acl_binding", "trunk_id", Action::kDelete},
                  {"trunk_credential_binding", "trunk_id", Action::kDelete},
                  {"did", "trunk_id", Action::kDetach}};
  auto written = Apply(ctx, {std::move(step)});
  if (!written.ok()) return written.error();
  return NoContent();
}

auto EstApi::Impl::EndpointBody(const Ctx& ctx, const std::string& trunk_id, bool put) -> Result<Json, ApiError> {
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json converted = Json::object();
  ToModel(kEndpointFields, *body, "", {"isRegistered"}, "a SIP endpoint", &converted, &errors);
  bool registered = false;
  if (auto it = body->find("isRegistered"); it != body->end() && !it->is_null()) {
    if (!it->is_boolean()) {
      errors.push_back({"isRegistered", "must be a boolean"});
    } else {
      registered = it->get<bool>();
    }
  }
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  converted["kind"] = registered ? "registered" : "static";
  if (put) return PutAsPatch(Spec("sip_endpoint"), kEndpointFields, std::move(converted));
  converted["trunk_id"] = trunk_id;
  return converted;
}

auto EstApi::Impl::RequireEndpoint(const Ctx& ctx, const std::string& trunk_id) -> Result<ResourceRow, ApiError> {
  auto row = Require(ctx, "sip_endpoint", ctx.Param("endpointId"), "SIP endpoint");
  if (!row.ok()) return row;
  if (DocString(row->document, "trunk_id") != trunk_id) {
    return ApiError::NotFound("SIP endpoint '" + ctx.Param("endpointId") + "' not found");
  }
  return row;
}

auto EstApi::Impl::ListEndpoints(Ctx& ctx) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto rows = ListAll(ctx, "sip_endpoint", {{"trunk_id", trunk->id}});
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) items.push_back(RenderEndpoint(row));
  return JsonResponse(200, Envelope("endpoints", items, *paging));
}

auto EstApi::Impl::CreateEndpoint(Ctx& ctx) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto body = EndpointBody(ctx, trunk->id, false);
  if (!body.ok()) return body.error();
  auto row = WriteRow(ctx, Op::kCreate, "sip_endpoint", "", std::move(body).value(), kEndpointFields);
  if (!row.ok()) return row.error();
  return JsonResponse(201, RenderEndpoint(*row));
}

auto EstApi::Impl::GetEndpoint(Ctx& ctx) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto row = RequireEndpoint(ctx, trunk->id);
  if (!row.ok()) return row.error();
  return JsonResponse(200, RenderEndpoint(*row));
}

auto EstApi::Impl::PutEndpoint(Ctx& ctx) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto row = RequireEndpoint(ctx, trunk->id);
  if (!row.ok()) return row.error();
  auto body = EndpointBody(ctx, trunk->id, true);
  if (!body.ok()) return body.error();
  auto updated = WriteRow(ctx, Op::kPatch, "sip_endpoint", row->id, std::move(body).value(), kEndpointFields);
  if (!updated.ok()) return updated.error();
  return JsonResponse(200, RenderEndpoint(*updated));
}

auto EstApi::Impl::DeleteEndpoint(Ctx& ctx) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto row = RequireEndpoint(ctx, trunk->id);
  if (!row.ok()) return row.error();
  auto r = Write(ctx, Op::kDelete, "sip_endpoint", row->id, Json::object());
  if (!r.ok()) return r.error();
  return NoContent();
}

auto EstApi::Impl::BindingsOf(const Ctx& ctx, const Binding& b, const std::string& trunk_id) -> Result<std::vector<ResourceRow>, ApiError> {
  return ListAll(ctx, b.kind, {{"trunk_id", trunk_id}});
}

auto EstApi::Impl::BoundIds(const Binding& b, const std::vector<ResourceRow>& bindings) -> Json {
  Json ids = Json::array();
  for (const auto& row : bindings) ids.push_back(DocString(row.document, b.target_field));
  return ids;
}

auto EstApi::Impl::CheckTargets(const Ctx& ctx, const Binding& b, const std::vector<std::string>& ids) -> std::optional<ApiError> {
  for (const auto& id : ids) {
    auto row = GetRow(ctx, b.target_kind, id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return ApiError::NotFound(std::string(b.what) + " '" + id + "' not found");
  }
  return std::nullopt;
}

auto EstApi::Impl::ListBindings(Ctx& ctx, const Binding& b) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto bindings = BindingsOf(ctx, b, trunk->id);
  if (!bindings.ok()) return bindings.error();
  std::vector<Json> ids;
  for (const auto& id : BoundIds(b, *bindings)) ids.push_back(id);
  Json page = Envelope(b.ids_key, ids, *paging);
  if (b.kind == kCredentialBinding.kind) {
    // The Sinch SDK reads the trunk's credential lists as whole objects from
    // `credentialLists`; the ids stay beside them.
    Json lists = Json::array();
    for (const Json& id : page[std::string(b.ids_key)]) {
      auto row = GetRow(ctx, b.target_kind, id.get<std::string>());
      if (!row.ok()) return row.error();
      if (!row->has_value()) continue;  // a binding's list is never gone (the cascade), but be safe
      auto rendered = RenderList(ctx, kCredentialList, **row);
      if (!rendered.ok()) return rendered.error();
      lists.push_back(std::move(rendered).value());
    }
    page["credentialLists"] = std::move(lists);
  }
  return JsonResponse(200, page);
}

auto EstApi::Impl::ChangeBindings(Ctx& ctx, const Binding& b, bool replace) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  auto body = ParseBody(ctx.request);
  if (!body.ok()) return body.error();
  auto ids = IdList(*body, b.ids_key, replace);
  if (!ids.ok()) return ids.error();
  if (auto missing = CheckTargets(ctx, b, *ids)) return *missing;
  auto bindings = BindingsOf(ctx, b, trunk->id);
  if (!bindings.ok()) return bindings.error();
  std::vector<model::BoundList> bound;
  for (const auto& row : *bindings) bound.push_back({row.id, DocString(row.document, b.target_field)});
  const model::BindingChange change = model::PlanBindingChange(bound, *ids, replace);
  std::vector<Step> steps;
  for (const std::string& binding_id : change.unbind) steps.push_back(MakeStep(Op::kDelete, b.kind, binding_id));
  for (const std::string& list_id : change.bind) {
    steps.push_back(MakeStep(Op::kCreate, b.kind, "", Json{{"trunk_id", trunk->id}, {std::string(b.target_field), list_id}}));
  }
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  auto after = BindingsOf(ctx, b, trunk->id);
  if (!after.ok()) return after.error();
  return JsonResponse(200, Json{{std::string(b.ids_key), BoundIds(b, *after)}});
}

auto EstApi::Impl::RemoveBinding(Ctx& ctx, const Binding& b, std::string_view target_param) -> Reply {
  auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
  if (!trunk.ok()) return trunk.error();
  const std::string target = ctx.Param(target_param);
  auto bindings = ListAll(ctx, b.kind, {{"trunk_id", trunk->id}, {std::string(b.target_field), target}});
  if (!bindings.ok()) return bindings.error();
  if (bindings->empty()) {
    return ApiError::NotFound(std::string(b.what) + " '" + target + "' is not assigned to trunk '" + trunk->id + "'");
  }
  std::vector<Step> steps;
  for (const auto& row : *bindings) steps.push_back(MakeStep(Op::kDelete, b.kind, row.id));
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return NoContent();
}

auto EstApi::Impl::ListAclBindings(Ctx& ctx) -> Reply { return ListBindings(ctx, kAclBinding); }

auto EstApi::Impl::AddAclBindings(Ctx& ctx) -> Reply { return ChangeBindings(ctx, kAclBinding, false); }

auto EstApi::Impl::ReplaceAclBindings(Ctx& ctx) -> Reply { return ChangeBindings(ctx, kAclBinding, true); }

auto EstApi::Impl::RemoveAclBinding(Ctx& ctx) -> Reply { return RemoveBinding(ctx, kAclBinding, "aclId"); }

auto EstApi::Impl::ListCredentialBindings(Ctx& ctx) -> Reply { return ListBindings(ctx, kCredentialBinding); }

auto EstApi::Impl::AddCredentialBindings(Ctx& ctx) -> Reply { return ChangeBindings(ctx, kCredentialBinding, false); }

auto EstApi::Impl::ReplaceCredentialBindings(Ctx& ctx) -> Reply { return ChangeBindings(ctx, kCredentialBinding, true); }

auto EstApi::Impl::RemoveCredentialBinding(Ctx& ctx) -> Reply { return RemoveBinding(ctx, kCredentialBinding, "credentialListId"); }

}  // namespace dialtone::gateway::est
