#include "gateway/est/est_api.h"

#include <algorithm>
#include <map>

#include "events/ids.h"
#include "gateway/est/est_impl.h"
#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/json_body.h"
#include "gateway/est/openapi.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::Wrap(Fn fn) -> Handler {
  return [this, fn](Request request, Responder responder) {
    auto shared_responder = std::make_shared<Responder>(std::move(responder));
    auto shared_request = std::make_shared<Request>(std::move(request));
    const bool queued = workers.Post([this, fn, shared_responder, shared_request]() {
      shared_responder->Send(Serve(fn, *shared_request));
    });
    if (!queued && shared_responder->pending()) {
      shared_responder->Send(RenderEstError(ApiError::Unavailable("the server is stopping")));
    }
  };
}

auto EstApi::Impl::Serve(Fn fn, const Request& request) -> Response {
  auto principal = est::Authenticate(request, authenticator);
  if (!principal.ok()) return RenderEstError(principal.error());
  auto project = ResolveProject(request.PathParam("projectId").value_or(""), *principal, view);
  if (!project.ok()) return RenderEstError(project.error());
  Ctx ctx{request, std::move(principal).value(), std::move(project).value()};
  Reply reply = (this->*fn)(ctx);
  return reply.ok() ? std::move(reply).value() : RenderEstError(reply.error());
}

auto EstApi::Impl::GetRow(const Ctx& ctx, std::string_view kind, std::string_view id) -> Result<std::optional<ResourceRow>, ApiError> {
  if (id.empty()) return std::optional<ResourceRow>();
  auto row = view.Get(ctx.account, kind, id);
  if (!row.ok()) {
    if (row.status().code() == ErrorCode::kInvalidArgument) return std::optional<ResourceRow>();
    return FromStatus(row.status());
  }
  return std::move(row).value();
}

auto EstApi::Impl::Require(const Ctx& ctx, std::string_view kind, std::string_view id, std::string_view what) -> Result<ResourceRow, ApiError> {
  auto row = GetRow(ctx, kind, id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return ApiError::NotFound(std::string(what) + " '" + std::string(id) + "' not found");
  return std::move(**row);
}

auto EstApi::Impl::ListAll(const Ctx& ctx, std::string_view kind, Filters filters) -> Result<std::vector<ResourceRow>, ApiError> {
  return ListAllOf(ctx.account, kind, std::move(filters));
}

auto EstApi::Impl::ListAllOf(const std::string& account, std::string_view kind, Filters filters) -> Result<std::vector<ResourceRow>, ApiError> {
  std::vector<ResourceRow> all;
  projections::ListQuery query;
  query.account_id = account;
  query.kind = std::string(kind);
  query.filters = std::move(filters);
  query.limit = projections::kMaxListLimit;
  while (true) {
    auto page = view.List(query);
    if (!page.ok()) return FromStatus(page.status());
    for (auto& row : page->rows) all.push_back(std::move(row));
    if (page->next_cursor.empty() || all.empty()) break;
    query.after_id = all.back().id;
  }
  return all;
}

auto EstApi::Impl::MakeStep(Op op, std::string_view kind, std::string id, Json body, const std::vector<FieldMap>* fields, std::string prefix) -> Step {
  return Step{op, std::string(kind), std::move(id), std::move(body), fields, std::move(prefix), {}};
}

auto EstApi::Impl::NewResourceId(std::string_view kind) -> std::string {
  std::string uuid = events::NewUuid();
  uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
  return Spec(kind).id_prefix + uuid;
}

auto EstApi::Impl::WriteError(const commands::CommandError& error, const std::vector<Step>& steps) -> ApiError {
  if (error.code() != ErrorCode::kInvalidArgument) return FromStatus(error.status);
  const std::vector<model::FieldError>& errors = error.field_errors;
  if (errors.empty()) return ApiError::InvalidArgument(error.message());
  static const std::vector<FieldMap> kNoFields;
  std::vector<ErrorDetail> details;
  for (const model::FieldError& e : errors) {
    const Step* owner = &steps.front();
    for (const Step& step : steps) {
      if (!step.prefix.empty() && e.path.rfind(step.prefix, 0) == 0) {
        owner = &step;
        break;
      }
    }
    const std::string_view rest = std::string_view(e.path).substr(e.path.rfind(owner->prefix, 0) == 0 ? owner->prefix.size() : 0);
    details.push_back({EstPath(owner->fields ? *owner->fields : kNoFields, rest, owner->prefix), e.message});
  }
  return InvalidFrom(std::move(details));
}

auto EstApi::Impl::Apply(const Ctx& ctx, std::vector<Step> steps) -> Result<std::vector<commands::ResourceResult>, ApiError> {
  if (steps.empty()) return std::vector<commands::ResourceResult>();
  auto resource_command = [&](const Step& step) {
    commands::ResourceCommand rc;
    rc.op = step.op;
    rc.kind = step.kind;
    rc.id = step.id;
    rc.body = step.body;
    rc.error_prefix = step.prefix;
    rc.cascade = step.cascade;
    return rc;
  };
  commands::AccountCommand command;
  command.account_id = ctx.account;
  command.context.principal = ctx.principal.CommandPrincipal();
  command.context.correlation_id = ctx.request.request_id;
  if (steps.size() == 1) {
    command.kind = commands::AccountCommand::Kind::kResource;
    command.resource = resource_command(steps.front());
  } else {
    command.kind = commands::AccountCommand::Kind::kBatch;
    for (const Step& step : steps) {
      commands::AccountCommand one;
      one.kind = commands::AccountCommand::Kind::kResource;
      one.account_id = ctx.account;
      one.resource = resource_command(step);
      command.steps.push_back(std::move(one));
    }
  }
  auto result = accounts.ExecuteAndWait(std::move(command));
  if (!result.ok()) return WriteError(result.error(), steps);
  if (result->position > 0 && !view.WaitForPosition(result->position, options.view_wait)) {
    return ApiError::Unavailable("the change was stored but is not readable yet; retry the read shortly");
  }
  return std::move(result->resources);
}

auto EstApi::Impl::Write(const Ctx& ctx, Op op, std::string_view kind, std::string id, Json body, const std::vector<FieldMap>& fields, std::string_view prefix) -> Result<commands::ResourceResult, ApiError> {
  std::vector<Step> steps;
  steps.push_back(MakeStep(op, kind, std::move(id), std::move(body), &fields, std::string(prefix)));
  auto written = Apply(ctx, std::move(steps));
  if (!written.ok()) return written.error();
  if (written->empty()) return ApiError::Internal("the account service returned no resource");
  return std::move(written->back());
}

auto EstApi::Impl::WriteRow(const Ctx& ctx, Op op, std::string_view kind, std::string id, Json body, const std::vector<FieldMap>& fields, std::string_view prefix) -> Result<ResourceRow, ApiError> {
  auto r = Write(ctx, op, kind, std::move(id), std::move(body), fields, prefix);
  if (!r.ok()) return r.error();
  return RowOf(*r, ctx.account);
}

auto EstApi::Impl::Precheck(std::string_view kind, const Json& model_body, const std::vector<FieldMap>& fields, std::string_view prefix, std::vector<ErrorDetail>* errors) -> void {
  auto normalized = model::NormalizeCreate(Spec(kind), model_body);
  if (!normalized.ok()) AppendDetails(fields, normalized.error().errors, prefix, errors);
}

auto EstApi::Impl::AddRoutes(Router& router) -> Status {
  static const std::map<std::string_view, Fn> kHandlers = {
      {"listTrunks", &Impl::ListTrunks},
      {"createTrunk", &Impl::CreateTrunk},
      {"getTrunk", &Impl::GetTrunk},
      {"replaceTrunk", &Impl::PutTrunk},
      {"deleteTrunk", &Impl::DeleteTrunk},
      {"listEndpoints", &Impl::ListEndpoints},
      {"createEndpoint", &Impl::CreateEndpoint},
      {"getEndpoint", &Impl::GetEndpoint},
      {"replaceEndpoint", &Impl::PutEndpoint},
      {"deleteEndpoint", &Impl::DeleteEndpoint},
      {"listTrunkAccessControlLists", &Impl::ListAclBindings},
      {"addTrunkAccessControlLists", &Impl::AddAclBindings},
      {"replaceTrunkAccessControlLists", &Impl::ReplaceAclBindings},
      {"removeTrunkAccessControlList", &Impl::RemoveAclBinding},
      {"listTrunkCredentialLists", &Impl::ListCredentialBindings},
      {"addTrunkCredentialLists", &Impl::AddCredentialBindings},
      {"replaceTrunkCredentialLists", &Impl::ReplaceCredentialBindings},
      {"removeTrunkCredentialList", &Impl::RemoveCredentialBinding},
      {"listAccessControlLists", &Impl::ListAcls},
      {"createAccessControlList", &Impl::CreateAcl},
      {"getAccessControlList", &Impl::GetAcl},
      {"replaceAccessControlList", &Impl::PutAcl},
      {"deleteAccessControlList", &Impl::DeleteAcl},
      {"listAccessControlListTrunks", &Impl::TrunksOfAcl},
      {"listIpRanges", &Impl::ListRanges},
      {"createIpRange", &Impl::CreateRange},
      {"replaceIpRange", &Impl::PutRange},
      {"deleteIpRange", &Impl::DeleteRange},
      {"listCredentialLists", &Impl::ListCredentialLists},
      {"createCredentialList", &Impl::CreateCredentialList},
      {"getCredentialList", &Impl::GetCredentialList},
      {"replaceCredentialList", &Impl::PutCredentialList},
      {"deleteCredentialList", &Impl::DeleteCredentialList},
      {"listCredentialListTrunks", &Impl::TrunksOfCredentialList},
      {"putCredential", &Impl::PutCredential},
      {"deleteCredential", &Impl::DeleteCredential},
      {"listCallBlockingRules", &Impl::ListRules},
      {"createCallBlockingRule", &Impl::CreateRule},
      {"getCallBlockingRule", &Impl::GetRule},
      {"replaceCallBlockingRule", &Impl::PutRule},
      {"deleteCallBlockingRule", &Impl::DeleteRule},
      {"listCountryPermissions", &Impl::ListCountryPermissions},
      {"replaceCountryPermissions", &Impl::PutCountryPermissions},
      {"getCountryPermission", &Impl::GetCountryPermission},
      {"putCountryPermission", &Impl::PutCountryPermission},
      {"listPhoneNumbers", &Impl::ListNumbers},
      {"getPhoneNumber", &Impl::GetNumber},
      {"findCalls", &Impl::FindCalls},
      {"exportCalls", &Impl::ExportCalls},
      {"addProjects", &Impl::AddProjects},
  };
  for (const EstRouteInfo& info : EstRoutes()) {
    auto handler = kHandlers.find(info.operation_id);
    if (handler == kHandlers.end()) return Status::Internal("EST route " + info.operation_id + " has no handler");
    if (Status s = router.Add(info.method, "/projects/{projectId}" + info.path, Wrap(handler->second)); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

const std::vector<EstRouteInfo>& EstRoutes() {
  static const std::vector<EstRouteInfo> routes = {
      {"GET", "/trunks", "listTrunks", 200, "TrunkList", ""},
      {"POST", "/trunks", "createTrunk", 201, "Trunk", "TrunkRequest"},
      {"GET", "/trunks/{trunkId}", "getTrunk", 200, "Trunk", ""},
      {"PUT", "/trunks/{trunkId}", "replaceTrunk", 200, "Trunk", "TrunkRequest"},
      {"DELETE", "/trunks/{trunkId}", "deleteTrunk", 204, "", ""},
      {"GET", "/trunks/{trunkId}/endpoints", "listEndpoints", 200, "EndpointList", ""},
      {"POST", "/trunks/{trunkId}/endpoints", "createEndpoint", 201, "Endpoint", "any"},
      {"GET", "/trunks/{trunkId}/endpoints/{endpointId}", "getEndpoint", 200, "Endpoint", ""},
      {"PUT", "/trunks/{trunkId}/endpoints/{endpointId}", "replaceEndpoint", 200, "Endpoint", "any"},
      {"DELETE", "/trunks/{trunkId}/endpoints/{endpointId}", "deleteEndpoint", 204, "", ""},
      {"GET", "/trunks/{trunkId}/accessControlLists", "listTrunkAccessControlLists", 200, "AclIdPage", ""},
      {"POST", "/trunks/{trunkId}/accessControlLists", "addTrunkAccessControlLists", 200, "AclIds", "any"},
      {"PUT", "/trunks/{trunkId}/accessControlLists", "replaceTrunkAccessControlLists", 200, "AclIds", "any"},
      {"DELETE", "/trunks/{trunkId}/accessControlLists/{aclId}", "removeTrunkAccessControlList", 204, "", ""},
      {"GET", "/trunks/{trunkId}/credentialLists", "listTrunkCredentialLists", 200, "CredentialListIdPage", ""},
      {"POST", "/trunks/{trunkId}/credentialLists", "addTrunkCredentialLists", 200, "CredentialListIds", "any"},
      {"PUT", "/trunks/{trunkId}/credentialLists", "replaceTrunkCredentialLists", 200, "CredentialListIds", "any"},
      {"DELETE", "/trunks/{trunkId}/credentialLists/{credentialListId}", "removeTrunkCredentialList", 204, "", ""},
      {"GET", "/accessControlLists", "listAccessControlLists", 200, "AccessControlListList", ""},
      {"POST", "/accessControlLists", "createAccessControlList", 200, "AccessControlList", "any"},
      {"GET", "/accessControlLists/{listId}", "getAccessControlList", 200, "AccessControlList", ""},
      {"PUT", "/accessControlLists/{listId}", "replaceAccessControlList", 200, "AccessControlList", "any"},
      {"DELETE", "/accessControlLists/{listId}", "deleteAccessControlList", 204, "", ""},
      {"GET", "/accessControlLists/{listId}/trunks", "listAccessControlListTrunks", 200, "TrunkList", ""},
      {"GET", "/accessControlLists/{listId}/ipRanges", "listIpRanges", 200, "IpRangeList", ""},
      {"POST", "/accessControlLists/{listId}/ipRanges", "createIpRange", 200, "IpRange", "any"},
      {"PUT", "/accessControlLists/{listId}/ipRanges/{rangeId}", "replaceIpRange", 200, "IpRange", "any"},
      {"DELETE", "/accessControlLists/{listId}/ipRanges/{rangeId}", "deleteIpRange", 204, "", ""},
      {"GET", "/credentialLists", "listCredentialLists", 200, "CredentialListList", ""},
      {"POST", "/credentialLists", "createCredentialList", 201, "CredentialList", "any"},
      {"GET", "/credentialLists/{listId}", "getCredentialList", 200, "CredentialList", ""},
      {"PUT", "/credentialLists/{listId}", "replaceCredentialList", 200, "CredentialList", "any"},
      {"DELETE", "/credentialLists/{listId}", "deleteCredentialList", 204, "", ""},
      {"GET", "/credentialLists/{listId}/trunks", "listCredentialListTrunks", 200, "TrunkList", ""},
      {"PUT", "/credentialLists/{listId}/credentials/{username}", "putCredential", 200, "Credential", "any"},
      {"DELETE", "/credentialLists/{listId}/credentials/{username}", "deleteCredential", 204, "", ""},
      {"GET", "/callBlockingRules", "listCallBlockingRules", 200, "CallBlockingRuleList", ""},
      {"POST", "/callBlockingRules", "createCallBlockingRule", 201, "CallBlockingRule", "any"},
      {"GET", "/callBlockingRules/{ruleId}", "getCallBlockingRule", 200, "CallBlockingRule", ""},
      {"PUT", "/callBlockingRules/{ruleId}", "replaceCallBlockingRule", 200, "CallBlockingRule", "any"},
      {"DELETE", "/callBlockingRules/{ruleId}", "deleteCallBlockingRule", 204, "", ""},
      {"GET", "/countryPermissions", "listCountryPermissions", 200, "CountryPermissionList", ""},
      {"PUT", "/countryPermissions", "replaceCountryPermissions", 200, "EnabledCountries", "any"},
      {"GET", "/countryPermissions/{isoCode}", "getCountryPermission", 200, "CountryPermission", ""},
      {"PUT", "/countryPermissions/{isoCode}", "putCountryPermission", 200, "CountryPermission", "any"},
      {"GET", "/phoneNumbers", "listPhoneNumbers", 200, "PhoneNumberList", ""},
      {"GET", "/phoneNumbers/{phoneNumber}", "getPhoneNumber", 200, "PhoneNumber", ""},
      {"GET", "/calls", "findCalls", 200, "CallList", ""},
      {"GET", "/calls/export", "exportCalls", 200, "CallCsv", ""},
      {"POST", "/addProjects", "addProjects", 200, "AddedProjects", "AddProjects"},
  };
  return routes;
}

EstApi::EstApi(commands::AccountService& accounts, const projections::ConfigView& view,
               const projections::calls::CallsView* calls, const Authenticator& authenticator, EstApiOptions options)
    : impl_(std::make_unique<Impl>(accounts, view, calls, authenticator, std::move(options))) {}

EstApi::~EstApi() { Stop(); }

Status EstApi::AddRoutes(Router& router) { return impl_->AddRoutes(router); }

void EstApi::DescribeRoutes(RouteDocument& document) const { DescribeEstRoutes(document); }

void EstApi::Stop() { impl_->workers.Stop(); }

}  // namespace dialtone::gateway::est
