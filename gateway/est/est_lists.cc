// EST access control lists and credential lists: the lists, their entries (IP ranges, credentials) and the trunks they are bound to.
#include "gateway/est/est_impl.h"

#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/json_body.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::RenderEntry(const ListKind& k, const ResourceRow& entry) -> Json {
  if (k.entry_kind == "ip_acl_range") return RenderRange(entry);
  return Json{{"id", entry.id}, {"username", DocString(entry.document, "username")}};
}

auto EstApi::Impl::RenderList(const Ctx& ctx, const ListKind& k, const ResourceRow& list) -> Result<Json, ApiError> {
  auto entries = ListAll(ctx, k.entry_kind, {{std::string(k.entry_field), list.id}});
  if (!entries.ok()) return entries.error();
  Json out = Common(FromModel(*k.fields, list.document), list);
  out[std::string(k.entries_key)] = Json::array();
  for (const auto& entry : *entries) out[std::string(k.entries_key)].push_back(RenderEntry(k, entry));
  if (k.shows_trunks) {
    auto bindings = ListAll(ctx, k.binding->kind, {{std::string(k.binding->target_field), list.id}});
    if (!bindings.ok()) return bindings.error();
    out["trunks"] = Json::array();
    for (const auto& b : *bindings) out["trunks"].push_back(DocString(b.document, "trunk_id"));
  }
  return out;
}

auto EstApi::Impl::ListAnswer(const Ctx& ctx, const ListKind& k, const std::string& list_id, int status) -> Result<Response, ApiError> {
  auto row = Require(ctx, k.kind, list_id, k.what);
  if (!row.ok()) return row.error();
  auto rendered = RenderList(ctx, k, *row);
  if (!rendered.ok()) return rendered.error();
  return JsonResponse(status, *rendered);
}

auto EstApi::Impl::ListLists(Ctx& ctx, const ListKind& k) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto rows = ListAll(ctx, k.kind);
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) {
    auto rendered = RenderList(ctx, k, row);
    if (!rendered.ok()) return rendered.error();
    items.push_back(std::move(rendered).value());
  }
  return JsonResponse(200, Envelope(k.items_key, items, *paging));
}

auto EstApi::Impl::GetList(Ctx& ctx, const ListKind& k) -> Reply { return ListAnswer(ctx, k, ctx.Param("listId"), 200); }

auto EstApi::Impl::ListFieldsOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors) -> Json {
  Json converted = Json::object();
  ToModel(*k.fields, body, "", {std::string(k.entries_key), "trunks"}, k.what, &converted, errors);
  return converted;
}

auto EstApi::Impl::EntriesOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors) -> std::vector<Json> {
  std::vector<Json> out;
  auto it = body.find(k.entries_key);
  if (it == body.end() || it->is_null()) return out;
  const std::string key(k.entries_key);
  if (!it->is_array()) {
    errors->push_back({key, "must be an array"});
    return out;
  }
  std::set<std::string> identities;
  const std::string duplicate_field = [&] {
    for (const FieldMap& f : *k.entry_fields) {
      if (f.model == k.entry_identity.front()) return std::string(f.est);
    }
    return std::string();
  }();
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string prefix = key + "[" + std::to_string(i) + "].";
    const Json& entry = (*it)[i];
    if (!entry.is_object()) {
      errors->push_back({prefix.substr(0, prefix.size() - 1), "must be an object"});
      continue;
    }
    Json converted = Json::object();
    const size_t before = errors->size();
    ToModel(*k.entry_fields, entry, prefix, {}, k.entry_what, &converted, errors);
    converted[std::string(k.entry_field)] = Spec(k.kind).id_prefix + "pending";
    if (errors->size() == before) Precheck(k.entry_kind, converted, *k.entry_fields, prefix, errors);
    FillIdentityDefaults(k, converted);
    if (!identities.insert(EntryIdentity(k, converted)).second) {
      errors->push_back({prefix + duplicate_field, "is listed twice"});
    }
    out.push_back(std::move(converted));
  }
  return out;
}

void EstApi::Impl::FillIdentityDefaults(const ListKind& k, Json& entry) {
  const model::ResourceSpec& spec = Spec(k.entry_kind);
  for (std::string_view field : k.entry_identity) {
    const model::FieldSpec* f = spec.Field(field);
    if (!entry.contains(field) && f != nullptr && !f->default_value.is_null()) entry[std::string(field)] = f->default_value;
  }
}

auto EstApi::Impl::EntryIdentity(const ListKind& k, const Json& entry) -> std::string {
  Json key = Json::array();
  for (std::string_view field : k.entry_identity) key.push_back(entry.value(std::string(field), Json()));
  return key.dump();
}

auto EstApi::Impl::EntrySteps(const Ctx& ctx, const ListKind& k, const std::string& list_id, std::vector<Json> wanted, bool remove_others) -> Result<std::vector<Step>, ApiError> {
  const std::string list_field(k.entry_field);
  auto existing = ListAll(ctx, k.entry_kind, {{list_field, list_id}});
  if (!existing.ok()) return existing.error();
  std::map<std::string, const ResourceRow*> row_of;
  for (const auto& row : *existing) row_of[EntryIdentity(k, row.document)] = &row;
  std::vector<Step> steps;
  std::set<std::string> kept;
  for (size_t i = 0; i < wanted.size(); ++i) {
    Json& entry = wanted[i];
    entry[list_field] = list_id;
    FillIdentityDefaults(k, entry);
    const std::string identity = EntryIdentity(k, entry);
    kept.insert(identity);
    const std::string prefix = std::string(k.entries_key) + "[" + std::to_string(i) + "].";
    auto found = row_of.find(identity);
    if (found == row_of.end()) {
      steps.push_back(MakeStep(Op::kCreate, std::string(k.entry_kind), "", entry, k.entry_fields, prefix));
      continue;
    }
    Json changed = Json::object();
    for (const auto& [field, value] : entry.items()) {
      const bool identifies = field == list_field || std::find(k.entry_identity.begin(), k.entry_identity.end(),
                                                               field) != k.entry_identity.end();
      if (!identifies && found->second->document.value(field, Json()) != value) changed[field] = value;
    }
    if (!changed.empty()) {
      steps.push_back(MakeStep(Op::kPatch, std::string(k.entry_kind), found->second->id, std::move(changed),
                               k.entry_fields, prefix));
    }
  }
  if (remove_others) {
    for (const auto& [identity, row] : row_of) {
      if (!kept.contains(identity)) steps.push_back(MakeStep(Op::kDelete, std::string(k.entry_kind), row->id));
    }
  }
  return steps;
}

auto EstApi::Impl::CreateList(Ctx& ctx, const ListKind& k) -> Reply {
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json list = ListFieldsOf(k, *body, &errors);
  std::vector<Json> entries = EntriesOf(k, *body, &errors);
  if (k.entries_required && entries.empty() && errors.empty()) {
    errors.push_back({std::string(k.entries_key), "must be a non-empty array: an access control list needs at least one IP range"});
  }
  Precheck(k.kind, list, *k.fields, "", &errors);
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  const std::string list_id = NewResourceId(k.kind);
  std::vector<Step> steps;
  steps.push_back(MakeStep(Op::kCreate, k.kind, list_id, std::move(list), k.fields));
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i][std::string(k.entry_field)] = list_id;
    steps.push_back(MakeStep(Op::kCreate, k.entry_kind, "", std::move(entries[i]), k.entry_fields,
                             std::string(k.entries_key) + "[" + std::to_string(i) + "]."));
  }
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return ListAnswer(ctx, k, list_id, k.create_status);
}

auto EstApi::Impl::PutList(Ctx& ctx, const ListKind& k) -> Reply {
  auto row = Require(ctx, k.kind, ctx.Param("listId"), k.what);
  if (!row.ok()) return row.error();
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json list = ListFieldsOf(k, *body, &errors);
  // Entries named: the list holds exactly those afterwards. Absent or null: left as they are.
  const bool sync_entries = body->contains(k.entries_key) && !(*body)[std::string(k.entries_key)].is_null();
  std::vector<Json> entries = sync_entries ? EntriesOf(k, *body, &errors) : std::vector<Json>();
  if (sync_entries && k.entries_required && entries.empty() && errors.empty()) {
    errors.push_back({std::string(k.entries_key), "must be a non-empty array: an access control list needs at least one IP range"});
  }
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  std::vector<Step> steps;
  steps.push_back(MakeStep(Op::kPatch, k.kind, row->id, PutAsPatch(Spec(k.kind), *k.fields, std::move(list)), k.fields));
  if (sync_entries) {
    auto synced = EntrySteps(ctx, k, row->id, std::move(entries), true);
    if (!synced.ok()) return synced.error();
    for (auto& step : *synced) steps.push_back(std::move(step));
  }
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return ListAnswer(ctx, k, row->id, 200);
}

auto EstApi::Impl::DeleteList(Ctx& ctx, const ListKind& k) -> Reply {
  auto row = Require(ctx, k.kind, ctx.Param("listId"), k.what);
  if (!row.ok()) return row.error();
  Step step = MakeStep(Op::kDelete, k.kind, row->id);
  step.cascade = {{std::string(k.binding->kind), std::string(k.binding->target_field)},
                  {std::string(k.entry_kind), std::string(k.entry_field)}};
  if (auto written = Apply(ctx, {std::move(step)}); !written.ok()) return written.error();
  return NoContent();
}

auto EstApi::Impl::TrunksOfList(Ctx& ctx, const ListKind& k) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto list = Require(ctx, k.kind, ctx.Param("listId"), k.what);
  if (!list.ok()) return list.error();
  auto bindings = ListAll(ctx, k.binding->kind, {{std::string(k.binding->target_field), list->id}});
  if (!bindings.ok()) return bindings.error();
  std::vector<Json> items;
  for (const auto& binding : *bindings) {
    auto trunk = GetRow(ctx, "sip_trunk", DocString(binding.document, "trunk_id"));
    if (!trunk.ok()) return trunk.error();
    if (trunk->has_value()) items.push_back(RenderTrunk(**trunk));
  }
  return JsonResponse(200, Envelope("trunks", items, *paging));
}

auto EstApi::Impl::ListAcls(Ctx& ctx) -> Reply { return ListLists(ctx, kAclList); }

auto EstApi::Impl::CreateAcl(Ctx& ctx) -> Reply { return CreateList(ctx, kAclList); }

auto EstApi::Impl::GetAcl(Ctx& ctx) -> Reply { return GetList(ctx, kAclList); }

auto EstApi::Impl::PutAcl(Ctx& ctx) -> Reply { return PutList(ctx, kAclList); }

auto EstApi::Impl::DeleteAcl(Ctx& ctx) -> Reply { return DeleteList(ctx, kAclList); }

auto EstApi::Impl::TrunksOfAcl(Ctx& ctx) -> Reply { return TrunksOfList(ctx, kAclList); }

auto EstApi::Impl::ListCredentialLists(Ctx& ctx) -> Reply { return ListLists(ctx, kCredentialList); }

auto EstApi::Impl::CreateCredentialList(Ctx& ctx) -> Reply { return CreateList(ctx, kCredentialList); }

auto EstApi::Impl::GetCredentialList(Ctx& ctx) -> Reply { return GetList(ctx, kCredentialList); }

auto EstApi::Impl::PutCredentialList(Ctx& ctx) -> Reply { return PutList(ctx, kCredentialList); }

auto EstApi::Impl::DeleteCredentialList(Ctx& ctx) -> Reply { return DeleteList(ctx, kCredentialList); }

auto EstApi::Impl::TrunksOfCredentialList(Ctx& ctx) -> Reply { return TrunksOfList(ctx, kCredentialList); }

auto EstApi::Impl::RangeToModel(const Json& body, const std::string& acl_id, std::vector<ErrorDetail>* errors) -> Json {
  Json converted = Json::object();
  ToModel(kRangeFields, body, "", {}, "an IP range", &converted, errors);
  converted["acl_id"] = acl_id;
  return converted;
}

auto EstApi::Impl::ListRanges(Ctx& ctx) -> Reply {
  auto paging = ParsePaging(ctx.request, kDefaultPageSize);
  if (!paging.ok()) return paging.error();
  auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
  if (!acl.ok()) return acl.error();
  auto rows = ListAll(ctx, "ip_acl_range", {{"acl_id", acl->id}});
  if (!rows.ok()) return rows.error();
  std::vector<Json> items;
  for (const auto& row : *rows) items.push_back(RenderRange(row));
  return JsonResponse(200, Envelope("ipRanges", items, *paging));
}

auto EstApi::Impl::CreateRange(Ctx& ctx) -> Reply {
  auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
  if (!acl.ok()) return acl.error();
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json range = RangeToModel(*body, acl->id, &errors);
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  auto row = WriteRow(ctx, Op::kCreate, "ip_acl_range", "", std::move(range), kRangeFields);
  if (!row.ok()) return row.error();
  return JsonResponse(200, RenderRange(*row));
}

auto EstApi::Impl::RequireRange(const Ctx& ctx, const std::string& acl_id) -> Result<ResourceRow, ApiError> {
  auto row = Require(ctx, "ip_acl_range", ctx.Param("rangeId"), "IP range");
  if (!row.ok()) return row;
  if (DocString(row->document, "acl_id") != acl_id) {
    return ApiError::NotFound("IP range '" + ctx.Param("rangeId") + "' not found");
  }
  return row;
}

auto EstApi::Impl::PutRange(Ctx& ctx) -> Reply {
  auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
  if (!acl.ok()) return acl.error();
  auto row = RequireRange(ctx, acl->id);
  if (!row.ok()) return row.error();
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json range = RangeToModel(*body, acl->id, &errors);
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  range.erase("acl_id");
  // The seed's update sends only what changes ({ipAddress, range}): the fields sent.
  auto updated = WriteRow(ctx, Op::kPatch, "ip_acl_range", row->id, std::move(range), kRangeFields);
  if (!updated.ok()) return updated.error();
  return JsonResponse(200, RenderRange(*updated));
}

auto EstApi::Impl::DeleteRange(Ctx& ctx) -> Reply {
  auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
  if (!acl.ok()) return acl.error();
  auto row = RequireRange(ctx, acl->id);
  if (!row.ok()) return row.error();
  auto r = Write(ctx, Op::kDelete, "ip_acl_range", row->id, Json::object());
  if (!r.ok()) return r.error();
  return NoContent();
}

auto EstApi::Impl::PutCredential(Ctx& ctx) -> Reply {
  auto list = Require(ctx, "credential_list", ctx.Param("listId"), "credential list");
  if (!list.ok()) return list.error();
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<ErrorDetail> errors;
  Json converted = Json::object();
  ToModel(kCredentialFields, *body, "", {}, "a credential", &converted, &errors);
  const std::string username = ctx.Param("username");
  if (converted.contains("username") && converted["username"] != username) {
    errors.push_back({"username", "must match the username of the path"});
  }
  converted["username"] = username;
  converted["credential_list_id"] = list->id;
  if (errors.empty()) Precheck("credential", converted, kCredentialFields, "", &errors);
  if (!errors.empty()) return InvalidFrom(std::move(errors));
  auto steps = EntrySteps(ctx, kCredentialList, list->id, {converted}, false);
  if (!steps.ok()) return steps.error();
  for (Step& step : *steps) step.prefix.clear();  // one credential: its fields are the body's
  auto written = Apply(ctx, std::move(steps).value());
  if (!written.ok()) return written.error();
  if (written->empty()) return ApiError::Internal("the credential was not written");
  return JsonResponse(200, Json{{"id", written->back().id}, {"username", username}});
}

auto EstApi::Impl::DeleteCredential(Ctx& ctx) -> Reply {
  auto list = Require(ctx, "credential_list", ctx.Param("listId"), "credential list");
  if (!list.ok()) return list.error();
  const std::string username = ctx.Param("username");
  auto rows = ListAll(ctx, "credential", {{"credential_list_id", list->id}, {"username", username}});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return ApiError::NotFound("credential '" + username + "' not found");
  auto r = Write(ctx, Op::kDelete, "credential", rows->front().id, Json::object());
  if (!r.ok()) return r.error();
  return NoContent();
}

}  // namespace dialtone::gateway::est
