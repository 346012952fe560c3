// PRIVATE to gateway/est: the dialect's implementation. Its members are defined by
// resource family: est_api.cc (authentication, the reads and writes every family uses,
// the route table), est_trunks.cc (trunks, endpoints, trunk <-> list bindings),
// est_lists.cc (access control lists, credential lists, their entries), est_policies.cc
// (call blocking rules, country permissions), est_numbers.cc (phone numbers, calls).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands/account_commands.h"
#include "gateway/auth.h"
#include "gateway/est/errors.h"
#include "gateway/est/est_api.h"
#include "gateway/est/est_fields.h"
#include "gateway/json_body.h"
#include "gateway/worker_pool.h"
#include "model/bindings.h"
#include "model/country_permissions.h"
#include "projections/calls/calls_view.h"
#include "projections/config_view.h"
#include "refdata/countries.h"

namespace dialtone::gateway::est {

using namespace internal;
  // NOLINT(google-build-using-namespace): a private header of the dialect

struct EstApi::Impl {
  commands::AccountService& accounts;
  const projections::ConfigView& view;
  const projections::calls::CallsView* calls;
  const Authenticator& authenticator;
  EstApiOptions options;
  WorkerPool workers;

  Impl(commands::AccountService& a, const projections::ConfigView& v, const projections::calls::CallsView* c,
       const Authenticator& k, EstApiOptions o)
      : accounts(a), view(v), calls(c), authenticator(k), options(std::move(o)),
        workers(std::max<size_t>(1, options.worker_threads)) {}

  // One authenticated request acting on one project.
  struct Ctx {
    const Request& request;
    Principal principal;
    std::string account;
    std::string Param(std::string_view name) const { return std::string(request.PathParam(name).value_or("")); }
  };
  using Reply = Result<Response, ApiError>;
  using Fn = Reply (Impl::*)(Ctx&);

  Handler Wrap(Fn fn);

  Response Serve(Fn fn, const Request& request);

  // --- reads and writes (worker thread: may block) -------------------------------------------

  Result<std::optional<ResourceRow>, ApiError> GetRow(const Ctx& ctx, std::string_view kind, std::string_view id);

  // The row, or 404 naming `what`.
  Result<ResourceRow, ApiError> Require(const Ctx& ctx, std::string_view kind, std::string_view id,
                                        std::string_view what);

  Result<std::vector<ResourceRow>, ApiError> ListAll(const Ctx& ctx, std::string_view kind, Filters filters = {});
  Result<std::vector<ResourceRow>, ApiError> ListAllOf(const std::string& account, std::string_view kind,
                                                       Filters filters = {});

  // One resource command of an EST request. Its field errors are reported under `prefix`
  // with the EST names of `fields`.
  struct Step {
    Op op = Op::kCreate;
    std::string kind;
    std::string id;                 // kCreate: empty = the actor mints one
    Json body = Json::object();
    const std::vector<FieldMap>* fields = nullptr;
    std::string prefix;
    std::vector<commands::CascadeRule> cascade;  // kDelete: what goes with it
  };
  static Step MakeStep(Op op, std::string_view kind, std::string id, Json body = Json::object(),
                       const std::vector<FieldMap>* fields = nullptr, std::string prefix = "");

  // A model id for a resource a later step of the same write refers to.
  static std::string NewResourceId(std::string_view kind);

  // The EST error of a failed write: field errors named by the step they came from.
  static ApiError WriteError(const commands::CommandError& error, const std::vector<Step>& steps);

  // Writes `steps` as one command (a batch when there are several): all of them happen or
  // none. Answered once the view shows the write (read-your-writes).
  Result<std::vector<commands::ResourceResult>, ApiError> Apply(const Ctx& ctx, std::vector<Step> steps);

  // One step, answered with the resource it wrote.
  Result<commands::ResourceResult, ApiError> Write(const Ctx& ctx, Op op, std::string_view kind, std::string id,
                                                 Json body, const std::vector<FieldMap>& fields = {},
                                                 std::string_view prefix = "");

  Result<ResourceRow, ApiError> WriteRow(const Ctx& ctx, Op op, std::string_view kind, std::string id, Json body,
                                         const std::vector<FieldMap>& fields = {}, std::string_view prefix = "");


  // Validates `model_body` for a create of `kind` without writing (bad input changes
  // nothing even when one EST request becomes several commands).
  static void Precheck(std::string_view kind, const Json& model_body, const std::vector<FieldMap>& fields,
                       std::string_view prefix, std::vector<ErrorDetail>* errors);

  // =========================================== trunks ===========================================

  static ApiError DomainUnavailable();

  Result<Json, ApiError> TrunkBody(const Ctx& ctx, bool put);

  Reply ListTrunks(Ctx& ctx);

  Reply CreateTrunk(Ctx& ctx);

  Reply GetTrunk(Ctx& ctx);

  Reply PutTrunk(Ctx& ctx);

  // Deletes the trunk's endpoints and list bindings and unassigns its phone numbers, then
  // the trunk, in one write the account decides (a cascading delete). Other referrers
  // (e.g. /v1 outbound routes) refuse it with 409.
  Reply DeleteTrunk(Ctx& ctx);

  // ========================================= endpoints ==========================================

  Result<Json, ApiError> EndpointBody(const Ctx& ctx, const std::string& trunk_id, bool put);

  Result<ResourceRow, ApiError> RequireEndpoint(const Ctx& ctx, const std::string& trunk_id);

  Reply ListEndpoints(Ctx& ctx);

  Reply CreateEndpoint(Ctx& ctx);

  Reply GetEndpoint(Ctx& ctx);

  Reply PutEndpoint(Ctx& ctx);

  Reply DeleteEndpoint(Ctx& ctx);

  // ================================== trunk <-> list bindings ===================================

  Result<std::vector<ResourceRow>, ApiError> BindingsOf(const Ctx& ctx, const Binding& b, const std::string& trunk_id);

  Json BoundIds(const Binding& b, const std::vector<ResourceRow>& bindings);

  // Every id names an existing list of the project (404 naming the first that does not).
  std::optional<ApiError> CheckTargets(const Ctx& ctx, const Binding& b, const std::vector<std::string>& ids);

  Reply ListBindings(Ctx& ctx, const Binding& b);

  // POST adds (`replace` false) or PUT replaces the trunk's set of lists.
  Reply ChangeBindings(Ctx& ctx, const Binding& b, bool replace);

  Reply RemoveBinding(Ctx& ctx, const Binding& b, std::string_view target_param);

  Reply ListAclBindings(Ctx& ctx);
  Reply AddAclBindings(Ctx& ctx);
  Reply ReplaceAclBindings(Ctx& ctx);
  Reply RemoveAclBinding(Ctx& ctx);
  Reply ListCredentialBindings(Ctx& ctx);
  Reply AddCredentialBindings(Ctx& ctx);
  Reply ReplaceCredentialBindings(Ctx& ctx);
  Reply RemoveCredentialBinding(Ctx& ctx);

  // ============================ access control lists and credential lists ============================
  // Both are the same shape: a named list, its entries (IP ranges / credentials) and the
  // trunks it is bound to. Every request that writes several of them writes them at once.

  static Json RenderEntry(const ListKind& k, const ResourceRow& entry);

  Result<Json, ApiError> RenderList(const Ctx& ctx, const ListKind& k, const ResourceRow& list);

  Result<Response, ApiError> ListAnswer(const Ctx& ctx, const ListKind& k, const std::string& list_id, int status);

  Reply ListLists(Ctx& ctx, const ListKind& k);

  Reply GetList(Ctx& ctx, const ListKind& k);

  // The list's own fields of a create or PUT body (entries and trunks are not among them).
  static Json ListFieldsOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors);

  // The entry bodies of `body[entries_key]` in model form, each prechecked as a create
  // (errors under "<entries_key>[i]."). Absent or null: none.
  static std::vector<Json> EntriesOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors);

  // An entry's identity within its list (`ListKind::entry_identity`), as one comparable key.
  static std::string EntryIdentity(const ListKind& k, const Json& entry);
  // Gives an entry the model default of each identity field it omits (an IP range's `range`).
  static void FillIdentityDefaults(const ListKind& k, Json& entry);

  // Steps that make the entries of list `list_id` hold `wanted` (matched by identity): new
  // ones created, existing ones given the fields that differ (a credential's password,
  // always: it is stored sealed), the others deleted when `remove_others`.
  Result<std::vector<Step>, ApiError> EntrySteps(const Ctx& ctx, const ListKind& k, const std::string& list_id,
                                                      std::vector<Json> wanted, bool remove_others);

  Reply CreateList(Ctx& ctx, const ListKind& k);

  // Whole object: the list's own fields; for a credential list that sends `credentials`,
  // exactly those credentials (an ACL's ranges have their own routes).
  Reply PutList(Ctx& ctx, const ListKind& k);

  // Unbinds the list from every trunk and deletes its entries and the list, in one write
  // the account decides (a cascading delete).
  Reply DeleteList(Ctx& ctx, const ListKind& k);

  // GET /accessControlLists/{id}/trunks and /credentialLists/{id}/trunks.
  Reply TrunksOfList(Ctx& ctx, const ListKind& k);

  Reply ListAcls(Ctx& ctx);
  Reply CreateAcl(Ctx& ctx);
  Reply GetAcl(Ctx& ctx);
  Reply PutAcl(Ctx& ctx);
  Reply DeleteAcl(Ctx& ctx);
  Reply TrunksOfAcl(Ctx& ctx);
  Reply ListCredentialLists(Ctx& ctx);
  Reply CreateCredentialList(Ctx& ctx);
  Reply GetCredentialList(Ctx& ctx);
  Reply PutCredentialList(Ctx& ctx);
  Reply DeleteCredentialList(Ctx& ctx);
  Reply TrunksOfCredentialList(Ctx& ctx);

  // --- an ACL's IP ranges -----------------------------------------------------------------

  // An IP range body converted to the model (with `acl_id`).
  static Json RangeToModel(const Json& body, const std::string& acl_id, std::vector<ErrorDetail>* errors);

  Reply ListRanges(Ctx& ctx);

  Reply CreateRange(Ctx& ctx);

  Result<ResourceRow, ApiError> RequireRange(const Ctx& ctx, const std::string& acl_id);

  Reply PutRange(Ctx& ctx);

  Reply DeleteRange(Ctx& ctx);

  // --- a credential list's credentials ------------------------------------------------------

  // PUT /credentialLists/{id}/credentials/{username} {password}: creates or re-keys.
  Reply PutCredential(Ctx& ctx);

  Reply DeleteCredential(Ctx& ctx);

  // ===================================== call blocking rules ====================================

  Result<Json, ApiError> RuleBody(const Ctx& ctx, bool put);

  Reply ListRules(Ctx& ctx);

  Reply CreateRule(Ctx& ctx);

  Reply GetRule(Ctx& ctx);

  Reply PutRule(Ctx& ctx);

  Reply DeleteRule(Ctx& ctx);

  // ===================================== country permissions ====================================
  // A country without a country_permission row is enabled (the seed's default).

  static Json RenderCountry(const refdata::Country& c, bool enabled);

  // A project's country permissions (model::CountryPermissions over its own rows and its
  // ancestors'), with the ids of its own rows.
  struct Permissions {
    model::CountryPermissions rules;
    std::map<std::string, std::string> own_ids;  // iso code -> country_permission id
    bool Enabled(const std::string& iso) const { return rules.Enabled(iso); }
  };

  Result<Permissions, ApiError> LoadPermissions(const Ctx& ctx);

  static Result<const refdata::CountryTable*, ApiError> Table();

  // The step that sets one country's permission; none when it already is so (its own row,
  // or what it inherits: a sub-project stores only where it differs).
  static void AddPermissionStep(const Permissions& permissions, const std::string& iso, bool enabled,
                                std::vector<Step>& steps);

  // The seed answers the whole table, {countryPermissions: [...]}, without paging.
  Reply ListCountryPermissions(Ctx& ctx);

  // Body: [{isoCode, enabled?}] or {countryPermissions: [...]}. Listed countries take their
  // `enabled` (default true); every other country is disabled. Answers the enabled ones.
  Reply PutCountryPermissions(Ctx& ctx);

  Result<refdata::Country, ApiError> CountryOfPath(const Ctx& ctx);

  Reply GetCountryPermission(Ctx& ctx);

  Reply PutCountryPermission(Ctx& ctx);

  // ======================================== phone numbers =======================================

  Reply ListNumbers(Ctx& ctx);

  Reply GetNumber(Ctx& ctx);

  // ============================================ calls ===========================================

  static Json Money(const std::string& currency, const std::string& amount);

  static Json PlusIfNumber(const std::string& address);

  static Json RenderCall(const projections::calls::CallRecord& c);

  // A comma-separated list of values from `allowed` (upper-cased).
  static Result<std::set<std::string>, ApiError> EnumSet(std::string_view param, std::string_view text,
                                                         const std::set<std::string>& allowed);

  static std::string NumberPrefix(std::string_view text);

  // The filters of a call search (find and export), read from the query.
  struct CallSearch {
    projections::calls::CallQuery query;
    bool matches_nothing = false;  // emergencyOnly, or an empty time window
  };
  Result<CallSearch, ApiError> ParseCallSearch(const Ctx& ctx);
  Reply FindCalls(Ctx& ctx);

  // POST /addProjects {projectIds}: each must be a direct child account of the project
  // (else 400 naming it, and nothing is recorded); those not added before are recorded
  // (one write) and answered as {addedProjects}.
  Reply AddProjects(Ctx& ctx);
  // GET /calls/export: every call the search finds (at most kMaxExportedCalls, newest
  // first) as CSV, a header line even when none; Content-Disposition names the file
  // (`fileName`, default calls.csv).
  static constexpr size_t kMaxExportedCalls = 100'000;
  Reply ExportCalls(Ctx& ctx);

  // ============================================ routes ==========================================

  // Each route of EstRoutes() (the same table the OpenAPI document is made of) by its
  // operation id.
  Status AddRoutes(Router& router);
};

}
  // namespace dialtone::gateway::est
