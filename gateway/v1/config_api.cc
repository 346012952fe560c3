#include "gateway/v1/config_api.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "account.pb.h"
#include "commands/api_keys.h"
#include "events/ids.h"
#include "gateway/auth.h"
#include "gateway/v1/errors.h"
#include "gateway/v1/openapi.h"
#include "gateway/worker_pool.h"
#include "model/schema.h"
#include "model/validate.h"

namespace dialtone::gateway::v1 {

namespace {

using Json = nlohmann::json;
using commands::AccountCommand;
using commands::AccountCommandResult;
using projections::ResourceRow;

constexpr std::string_view kAccountKind = "account";
constexpr size_t kMaxIdempotencyKeyBytes = 200;

std::string ETagOf(uint64_t revision) { return "\"" + std::to_string(revision) + "\""; }

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The revision an entity tag names: `"12"`, `W/"12"` or `12`; nullopt otherwise.
std::optional<uint64_t> RevisionOfETag(std::string_view tag) {
  while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
  while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  return ParseUnsigned(tag);
}

// If-None-Match: true when it names `revision` (or is "*").
bool NoneMatchHits(const Request& request, uint64_t revision) {
  auto header = request.headers.Get("if-none-match");
  if (!header) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view tag = rest.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*") return true;
    if (auto r = RevisionOfETag(tag); r && *r == revision) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

// The If-Match precondition of a write.
struct IfMatch {
  bool present = false;
  std::optional<uint64_t> revision;  // nullopt with present: "*" (any current revision)
};

// Errors: 412 for a tag that can never match (not a revision this API issues).
Result<IfMatch, ApiError> ParseIfMatch(const Request& request) {
  IfMatch out;
  auto header = request.headers.Get("if-match");
  if (!header) return out;
  out.present = true;
  std::string_view value = *header;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value == "*") return out;
  out.revision = RevisionOfETag(value);
  if (!out.revision) {
    return ApiError::PreconditionFailed("If-Match '" + std::string(value) +
                                        "' names no revision of this resource; nothing changed");
  }
  return out;
}

// The request body as a JSON object. An empty body is `{}` when `allow_empty`.
// Errors: 415 (a body that is not declared JSON), 400 (malformed JSON, not an object,
// missing body).
Result<Json, ApiError> ParseObjectBody(const Request& request, bool allow_empty) {
  if (request.body.empty()) {
    if (allow_empty) return Json::object();
    return ApiError::InvalidArgument("a JSON object body is required");
  }
  auto content_type = request.headers.Get("content-type");
  if (!content_type || !IsJsonMediaType(*content_type)) {
    return ApiError::UnsupportedMediaType(
        "the body must be sent as application/json (content-type was '" +
        std::string(content_type.value_or("")) + "')");
  }
  Json body;
  try {
    body = Json::parse(request.body);
  } catch (const Json::parse_error& e) {
    return ApiError::InvalidArgument("malformed JSON at byte " + std::to_string(e.byte),
                                     {{"", e.what()}});
  }
  if (!body.is_object()) {
    return ApiError::InvalidArgument("the body must be a JSON object",
                                     {{"", std::string("got ") + body.type_name()}});
  }
  return body;
}

Result<std::string, ApiError> IdempotencyKeyOf(const Request& request) {
  auto header = request.headers.Get("idempotency-key");
  if (!header) return std::string();
  if (header->empty() || header->size() > kMaxIdempotencyKeyBytes ||
      !std::all_of(header->begin(), header->end(), [](char c) { return c > 32 && c < 127; })) {
    return ApiError::InvalidArgument("Idempotency-Key must be 1 to 200 visible ASCII characters");
  }
  return std::string(*header);
}

std::vector<ErrorDetail> ToDetails(const std::vector<model::FieldError>& errors) {
  std::vector<ErrorDetail> details;
  for (const auto& e : errors) details.push_back({e.path, e.message});
  return details;
}

ApiError FromValidation(const model::ValidationErrors& errors) {
  return ApiError::InvalidArgument(errors.status.message(), ToDetails(errors.errors));
}

// --- accounts: the view's document <-> the model's account spec <-> AccountSettings ---------

const model::ResourceSpec& AccountSpec() {
  const model::ResourceSpec* spec = model::FindResource(kAccountKind);
  assert(spec != nullptr && "the model table has no account kind");
  return *spec;
}

// The account as /v1 shows it: the view's document with `id`, and no parent as null.
Json RenderAccount(const ResourceRow& row) {
  Json doc = row.document;
  doc["id"] = row.id;
  if (DocString(doc, "parent_id").empty()) doc["parent_id"] = nullptr;
  return doc;
}

// The view's account document in the model's normalised form (empty texts of nullable
// fields as null, of defaulted ones as the default), so the model can merge a PATCH/PUT
// into it.
Json NormalisedAccount(const ResourceRow& row) {
  Json doc = RenderAccount(row);
  for (const auto& field : AccountSpec().fields) {
    auto it = doc.find(field.name);
    if (it == doc.end()) continue;
    if (!it->is_string() || !it->get_ref<const std::string&>().empty()) continue;
    if (field.nullable) {
      *it = nullptr;
    } else if (!field.default_value.is_null()) {
      *it = field.default_value;  // e.g. an unset voice_gender of an account made elsewhere
    }
  }
  return doc;
}

// Sets the AccountSettings fields named in `keys` from a normalised account document; a
// null value is listed in `cleared` instead (when given). Returns how many were named.
size_t SettingsFromDocument(const Json& doc, const std::vector<std::string>& keys,
                            events::AccountSettings* settings, std::vector<std::string>* cleared = nullptr) {
  using google::protobuf::FieldDescriptor;
  const auto* descriptor = events::AccountSettings::descriptor();
  const auto* reflection = events::AccountSettings::GetReflection();
  size_t set = 0;
  for (const std::string& key : keys) {
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    if (field == nullptr) continue;
    auto it = doc.find(key);
    if (it == doc.end()) continue;
    if (it->is_null()) {
      if (cleared != nullptr) {
        cleared->push_back(key);
        ++set;
      }
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(settings, field, it->is_string() ? it->get<std::string>() : std::string());
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(settings, field, it->is_number_integer() ? it->get<int32_t>() : 0);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(settings, field, DocInt(doc, key.c_str()) != 0);
        break;
      default:
        continue;
    }
    ++set;
  }
  return set;
}

std::vector<std::string> AllSettingNames() {
  std::vector<std::string> names;
  const auto* descriptor = events::AccountSettings::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) names.push_back(descriptor->field(i)->name());
  return names;
}

std::string NewId(std::string_view prefix) {
  std::string uuid = events::NewUuid();
  uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
  return std::string(prefix) + uuid;
}

// One request in flight: what an asynchronous answer needs from it.
struct Call {
  std::string request_id;
  std::string path;
  Responder responder;

  void Send(Response response) { responder.Send(std::move(response)); }
  void Fail(const ApiError& error) { responder.Send(RenderApiError(request_id, error)); }
};
using CallPtr = std::shared_ptr<Call>;

CallPtr MakeCall(const Request& request, Responder responder) {
  auto call = std::make_shared<Call>();
  call->request_id = request.request_id;
  call->path = request.path;
  call->responder = std::move(responder);
  return call;
}

}  // namespace

// --- the API -------------------------------------------------------------------------------

struct ConfigApi::Impl {
  commands::AccountService& accounts;
  const projections::ConfigView& view;
  const Authenticator& authenticator;
  ConfigApiOptions options;
  WorkerPool workers;

  Impl(commands::AccountService& a, const projections::ConfigView& v, const Authenticator& k, ConfigApiOptions o)
      : accounts(a), view(v), authenticator(k), options(o),
        workers(std::max<size_t>(1, o.worker_threads)) {}

  using Body = std::function<void(Request, Principal, CallPtr)>;
  std::map<std::string, AccountHandler> streamed_creates;  // kind -> handler

  // Runs `handler` on a worker and answers its response or its error.
  void OnWorker(const AccountHandler& handler, Request request, Principal principal, std::string account, CallPtr call) {
    auto shared = std::make_shared<Request>(std::move(request));
    const bool queued = workers.Post([handler, shared, principal = std::move(principal), call,
                                      account = std::move(account)]() {
      auto response = handler(*shared, principal, account);
      if (!response.ok()) return call->Fail(response.error());
      call->Send(std::move(response).value());
    });
    if (!queued) call->Fail(ApiError::Unavailable("the server is stopping"));
  }

  // Authenticates, checks that the key has one of `scopes` (none when empty; "*" grants
  // every scope), then runs `body`.
  Handler Guard(std::vector<std::string> scopes, Body body) {
    return [this, scopes = std::move(scopes), body = std::move(body)](Request request, Responder responder) {
      CallPtr call = MakeCall(request, std::move(responder));
      auto principal = authenticator.Authenticate(request);
      if (!principal.ok()) return call->Fail(principal.error());
      const bool allowed = scopes.empty() || std::any_of(scopes.begin(), scopes.end(), [&](const std::string& scope) {
                             return principal->HasScope(scope);
                           });
      if (!allowed) {
        std::string names;
        for (const std::string& scope : scopes) names += (names.empty() ? "'" : " or '") + scope + "'";
        return call->Fail(ApiError::PermissionDenied("this route needs the " + names + " scope (or '*'); the key has " +
                                                     DumpJson(Json(principal->scopes))));
      }
      body(std::move(request), std::move(principal).value(), std::move(call));
    };
  }
  Handler Guard(std::string_view scope, Body body) {
    return Guard(scope.empty() ? std::vector<std::string>() : std::vector<std::string>{std::string(scope)},
                 std::move(body));
  }

  commands::CommandContext Context(const Request& request, const Principal& principal,
                                 std::string idempotency_key = {}) const {
    commands::CommandContext context;
    context.principal = principal.CommandPrincipal();
    context.correlation_id = request.request_id;
    context.idempotency_key = std::move(idempotency_key);
    return context;
  }

  // Sends `command` to its account actor. On success `next` runs once the view has folded
  // the write's position (read-your-writes), on the thread that folded it: no thread
  // waits for the view. On failure the call is answered with the mapped error
  // (`conditional`: the request sent If-Match) from a worker; `recover`, when given,
  // sees the failure first (true: it answered the call).
  void Run(AccountCommand command, CallPtr call, bool conditional,
           std::function<void(AccountCommandResult)> next,
           std::function<bool(const commands::CommandError&)> recover = {}) {
    accounts.Execute(std::move(command), [this, call, conditional, next = std::move(next),
                                          recover = std::move(recover)](commands::CommandResult result) {
      if (!result.ok()) {
        workers.Post([call, conditional, recover, error = result.error()]() {
          if (recover && recover(error)) return;
          call->Fail(FromCommandError(error, conditional));
        });
        return;
      }
      const uint64_t position = result->position;
      if (position == 0) return next(std::move(result).value());  // nothing was written
      view.NotifyAt(position, [call, next, position, result = std::make_shared<AccountCommandResult>(
                                                        std::move(result).value())](bool reached) {
        if (!reached) {
          return call->Fail(ApiError::Unavailable("the change was stored (log position " + std::to_string(position) +
                                                  ") but the query view is not serving; retry the read shortly"));
        }
        next(std::move(*result));
      });
    });
  }

  Result<std::string, ApiError> Acting(const Request& request, const Principal& principal) const {
    return ResolveActingAccount(request, principal, view, true);
  }

  // Paging parameters; `allowed` are the other query parameters the route accepts.
  struct Paging {
    size_t limit = 50;
    std::string cursor;
  };
  Result<Paging, ApiError> ParsePaging(const Request& request) const {
    Paging paging;
    paging.limit = options.default_page_size;
    if (auto text = request.QueryParam("limit")) {
      auto value = ParseUnsigned(*text);
      if (!value || *value < 1 || *value > options.max_page_size) {
        return ApiError::InvalidArgument(
            "limit must be an integer from 1 to " + std::to_string(options.max_page_size),
            {{"limit", "got '" + std::string(*text) + "'"}});
      }
      paging.limit = static_cast<size_t>(*value);
    }
    if (auto text = request.QueryParam("cursor")) {
      if (text->empty()) return ApiError::InvalidArgument("cursor must not be empty", {{"cursor", "empty"}});
      paging.cursor = std::string(*text);
    }
    return paging;
  }

  // --- generated resource routes -----------------------------------------------------------

  // The scopes that open a kind's routes: `config` for every kind, and the product scope
  // of the kinds a narrower key is minted for (numbers, dnc, webhooks, queues).
  static std::vector<std::string> ScopesOf(const model::ResourceSpec& spec) {
    const std::string& kind = spec.parent_kind.empty() ? spec.kind : spec.parent_kind;
    std::vector<std::string> scopes = {std::string(kConfigScope)};
    if (kind == "did") scopes.push_back("numbers");
    if (kind == "dnc_entry") scopes.push_back("dnc");
    if (kind == "webhook") scopes.push_back("webhooks");
    if (kind == "queue") scopes.push_back("queues");
    return scopes;
  }

  // The id a path's {id} names. DNC entries are also addressed by their number
  // (/v1/dnc/+14155550100 or /v1/dnc/14155550100); nullopt when no entry has it.
  Result<std::optional<std::string>, ApiError> ItemId(const model::ResourceSpec& spec, std::string_view id,
                                                      const std::string& account) const {
    if (spec.kind != "dnc_entry" || id.rfind(spec.id_prefix, 0) == 0) return std::optional<std::string>(std::string(id));
    std::string digits(id);
    // A leading '+' (or the space a form-decoded '+' becomes in a query) is not a digit.
    if (!digits.empty() && (digits.front() == '+' || digits.front() == ' ')) digits.erase(0, 1);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return std::optional<std::string>(std::string(id));
    }
    projections::ListQuery query;
    query.account_id = account;
    query.kind = spec.kind;
    query.filters = {{"e164", digits}};
    query.limit = 1;
    auto page = view.List(query);
    if (!page.ok()) return FromStatus(page.status());
    if (page->rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(page->rows.front().id);
  }

  struct KindRoutes {
    const model::ResourceSpec* spec = nullptr;
    const model::ResourceSpec* parent = nullptr;  // nested kinds
  };

  ApiError ResourceNotFound(std::string_view kind, std::string_view id) const {
    return ApiError::NotFound(std::string(kind) + " '" + std::string(id) + "' not found");
  }

  // For a nested kind: the parent named in the path must exist in the account.
  std::optional<ApiError> CheckParent(const KindRoutes& k, const Request& request,
                                      const std::string& account) const {
    if (k.parent == nullptr) return std::nullopt;
    const std::string parent_id(request.PathParam("parent_id").value_or(""));
    auto row = view.Get(account, k.parent->kind, parent_id);
    if (!row.ok()) return FromStatus(row.status());
    if (!row->has_value()) return ResourceNotFound(k.parent->kind, parent_id);
    return std::nullopt;
  }

  // The row addressed by the path, nullopt answered as 404 (also when a nested row
  // belongs to another parent than the path names).
  Result<ResourceRow, ApiError> LoadRow(const KindRoutes& k, const Request& request,
                                        const std::string& account) const {
    const std::string named(request.PathParam("id").value_or(""));
    if (auto error = CheckParent(k, request, account)) return *error;
    auto item = ItemId(*k.spec, named, account);
    if (!item.ok()) return item.error();
    if (!item->has_value()) return ResourceNotFound(k.spec->kind, named);
    const std::string& id = **item;
    auto row = view.Get(account, k.spec->kind, id);
    if (!row.ok()) return FromStatus(row.status());
    if (!row->has_value()) return ResourceNotFound(k.spec->kind, id);
    if (k.parent != nullptr &&
        DocString((*row)->document, k.spec->parent_field.c_str()) != request.PathParam("parent_id")) {
      return ResourceNotFound(k.spec->kind, id);
    }
    return std::move(**row);
  }

  void ListResources(const KindRoutes& k, Request request, Principal principal, CallPtr call) {
    auto account = Acting(request, principal);
    if (!account.ok()) return call->Fail(account.error());
    if (auto error = CheckParent(k, request, *account)) return call->Fail(*error);
    auto paging = ParsePaging(request);
    if (!paging.ok()) return call->Fail(paging.error());

    projections::ListQuery query;
    query.account_id = *account;
    query.kind = k.spec->kind;
    query.after_id = paging->cursor;
    query.limit = paging->limit;
    if (k.parent != nullptr) {
      query.filters.emplace_back(k.spec->parent_field, std::string(request.PathParam("parent_id").value_or("")));
    }
    for (const auto& [name, value] : request.query) {
      if (name == "limit" || name == "cursor" || name == "account_id") continue;
      const auto& filters = k.spec->list_filters;
      if (std::find(filters.begin(), filters.end(), name) == filters.end()) {
        std::string known;
        for (const auto& f : filters) known += (known.empty() ? "" : ", ") + f;
        return call->Fail(ApiError::InvalidArgument(
            "unknown query parameter '" + name + "'",
            {{name, "not a filter of " + k.spec->collection + " (filters: " +
                        (known.empty() ? std::string("none") : known) + ")"}}));
      }
      std::string wanted = value;
      if (const model::FieldSpec* field = k.spec->Field(name);
          field != nullptr && field->type == model::FieldType::kBool01) {
        if (wanted == "true") wanted = "1";
        if (wanted == "false") wanted = "0";
      }
      query.filters.emplace_back(name, std::move(wanted));
    }
    auto page = view.ListText(query);
    if (!page.ok()) return call->Fail(FromStatus(page.status()));
    // The view holds public documents as JSON text: the page is assembled, not re-encoded.
    std::string body = "{\"data\":[";
    for (size_t i = 0; i < page->rows.size(); ++i) {
      if (i > 0) body.push_back(',');
      body.append(page->rows[i].document);
    }
    body.append("],\"next_cursor\":");
    body.append(page->next_cursor.empty() ? std::string("null") : DumpJson(Json(page->next_cursor)));
    body.push_back('}');
    call->Send(Response::Json(200, std::move(body)));
  }

  void GetResource(const KindRoutes& k, Request request, Principal principal, CallPtr call) {
    auto account = Acting(request, principal);
    if (!account.ok()) return call->Fail(account.error());
    const std::string named(request.PathParam("id").value_or(""));
    if (auto error = CheckParent(k, request, *account)) return call->Fail(*error);
    auto item = ItemId(*k.spec, named, *account);
    if (!item.ok()) return call->Fail(item.error());
    if (!item->has_value()) return call->Fail(ResourceNotFound(k.spec->kind, named));
    const std::string& id = **item;
    auto row = view.GetText(*account, k.spec->kind, id);
    if (!row.ok()) {
      if (row.status().code() == ErrorCode::kInvalidArgument) return call->Fail(ResourceNotFound(k.spec->kind, id));
      return call->Fail(FromStatus(row.status()));
    }
    if (!row->has_value()) return call->Fail(ResourceNotFound(k.spec->kind, id));
    if (k.parent != nullptr && !BelongsToPathParent(k, request, (*row)->document)) {
      return call->Fail(ResourceNotFound(k.spec->kind, id));
    }
    if (NoneMatchHits(request, (*row)->revision)) {
      Response not_modified;
      not_modified.status = 304;
      not_modified.headers.Set("etag", ETagOf((*row)->revision));
      return call->Send(std::move(not_modified));
    }
    Response response = Response::Json(200, std::move((*row)->document));
    response.headers.Set("etag", ETagOf((*row)->revision));
    call->Send(std::move(response));
  }

  // A nested row named through its parent must belong to that parent.
  bool BelongsToPathParent(const KindRoutes& k, const Request& request, const std::string& document_text) const {
    const Json doc = Json::parse(document_text, nullptr, false);
    return !doc.is_discarded() && DocString(doc, k.spec->parent_field.c_str()) == request.PathParam("parent_id");
  }

  // Answers a resource the actor returned, with its ETag.
  static Response ResourceResponse(int status, const AccountCommandResult& result) {
    if (!result.resource) return JsonResponse(status, Json::object());
    Response response = JsonResponse(status, result.resource->document);
    response.headers.Set("etag", ETagOf(result.resource->revision));
    return response;
  }

  void CreateResource(const KindRoutes& k, Request request, Principal principal, CallPtr call) {
    auto account = Acting(request, principal);
    if (!account.ok()) return call->Fail(account.error());
    if (request.streamed_body) {
      auto streamed = streamed_creates.find(k.spec->kind);
      if (streamed == streamed_creates.end()) {
        return call->Fail(ApiError::InvalidArgument("a " + k.spec->kind + " is created from a JSON body"));
      }
      return OnWorker(streamed->second, std::move(request), std::move(principal), std::move(account).value(), call);
    }
    auto body = ParseObjectBody(request, false);
    if (!body.ok()) return call->Fail(body.error());
    if (auto error = CheckParent(k, request, *account)) return call->Fail(*error);
    if (k.parent != nullptr) {
      const std::string parent_id(request.PathParam("parent_id").value_or(""));
      auto it = body->find(k.spec->parent_field);
      if (it != body->end() && !(it->is_string() && it->get<std::string>() == parent_id)) {
        return call->Fail(ApiError::InvalidArgument(
            k.spec->parent_field + " must be the parent named in the path",
            {{k.spec->parent_field, "must be '" + parent_id + "' (the path's parent) or omitted"}}));
      }
      (*body)[k.spec->parent_field] = parent_id;
    }
    auto key = IdempotencyKeyOf(request);
    if (!key.ok()) return call->Fail(key.error());

    AccountCommand command;
    command.kind = AccountCommand::Kind::kResource;
    command.account_id = *account;
    command.resource.op = commands::ResourceCommand::Op::kCreate;
    command.resource.kind = k.spec->kind;
    command.resource.body = std::move(body).value();
    // Scoped by route: the actor scopes it by account.
    command.context = Context(request, principal,
                              key->empty() ? std::string() : "POST " + request.path + " " + *key);
    auto created = [call](AccountCommandResult result) {
      Response response = ResourceResponse(201, result);
      if (result.resource) response.headers.Set("location", call->path + "/" + result.resource->id);
      call->Send(std::move(response));
    };
    std::function<bool(const commands::CommandError&)> recover;
    if (k.spec->kind == "dnc_entry") {
      // Adding a number the DNC list already holds is not an error: the answer is the
      // entry that holds it (200), and nothing changes.
      recover = [this, call, account_id = *account, e164 = DocString(command.resource.body, "e164")](const commands::CommandError& error) {
        if (error.code() != ErrorCode::kAlreadyExists) return false;
        const projections::ListQuery holder{account_id, "dnc_entry", {{"e164", e164}}, "", 1};
        auto page = view.List(holder);
        if (page.ok() && page->rows.empty() && options.log_head) {
          // The actor knows of the entry; the view may not have folded it yet. Recover
          // runs on a worker, which may block.
          (void)view.WaitForPosition(options.log_head(), std::chrono::seconds(5));
          page = view.List(holder);
        }
        if (!page.ok() || page->rows.empty()) return false;
        Response response = JsonResponse(200, page->rows.front().document);
        response.headers.Set("etag", ETagOf(page->rows.front().revision));
        response.headers.Set("location", call->path + "/" + page->rows.front().id);
        call->Send(std::move(response));
        return true;
      };
    }
    Run(std::move(command), call, false, std::move(created), std::move(recover));
  }

  void ChangeResource(const KindRoutes& k, commands::ResourceCommand::Op op, Request request,
                      Principal principal, CallPtr call) {
    auto account = Acting(request, principal);
    if (!account.ok()) return call->Fail(account.error());
    Json body = Json::object();
    if (op == commands::ResourceCommand::Op::kPatch || op == commands::ResourceCommand::Op::kPut) {
      auto parsed = ParseObjectBody(request, false);
      if (!parsed.ok()) return call->Fail(parsed.error());
      body = std::move(parsed).value();
    }
    auto if_match = ParseIfMatch(request);
    if (!if_match.ok()) return call->Fail(if_match.error());
    // Nested rows must belong to the path's parent; every row must exist (404 first).
    auto row = LoadRow(k, request, *account);
    if (!row.ok()) return call->Fail(row.error());

    AccountCommand command;
    command.kind = AccountCommand::Kind::kResource;
    command.account_id = *account;
    command.resource.op = op;
    command.resource.kind = k.spec->kind;
    command.resource.id = row->id;
    command.resource.body = std::move(body);
    command.resource.if_match_revision = if_match->revision;
    command.context = Context(request, principal);
    const bool is_delete = op == commands::ResourceCommand::Op::kDelete;
    Run(std::move(command), call, if_match->present, [call, is_delete](AccountCommandResult result) {
      if (is_delete) {
        Response no_content;
        no_content.status = 204;
        return call->Send(std::move(no_content));
      }
      call->Send(ResourceResponse(200, result));
    });
  }

  Status AddResourceRoutes(Router& router) {
    for (const model::ResourceSpec& spec : model::AllResources()) {
      if (spec.kind == kAccountKind || !spec.generic_api) continue;
      KindRoutes k;
      k.spec = &spec;
      std::string base = "/";
      if (!spec.parent_kind.empty()) {
        k.parent = model::FindResource(spec.parent_kind);
        if (k.parent == nullptr || !k.parent->parent_kind.empty()) {
          return Status::Internal("kind '" + spec.kind + "' nests under '" + spec.parent_kind +
                                  "', which is not a top-level kind");
        }
        base += k.parent->collection + "/{parent_id}/";
      }
      base += spec.collection;
      const std::string item = base + "/{id}";
      using Op = commands::ResourceCommand::Op;
      auto scoped = [this, scopes = ScopesOf(spec)](auto member) { return Guard(scopes, std::move(member)); };
      const std::pair<std::string, std::pair<std::string, Body>> routes[] = {
          {"GET", {base, [this, k](Request r, Principal p, CallPtr c) { ListResources(k, std::move(r), std::move(p), std::move(c)); }}},
          {"POST", {base, [this, k](Request r, Principal p, CallPtr c) { CreateResource(k, std::move(r), std::move(p), std::move(c)); }}},
          {"GET", {item, [this, k](Request r, Principal p, CallPtr c) { GetResource(k, std::move(r), std::move(p), std::move(c)); }}},
          {"PATCH", {item, [this, k](Request r, Principal p, CallPtr c) { ChangeResource(k, Op::kPatch, std::move(r), std::move(p), std::move(c)); }}},
          {"PUT", {item, [this, k](Request r, Principal p, CallPtr c) { ChangeResource(k, Op::kPut, std::move(r), std::move(p), std::move(c)); }}},
          {"DELETE", {item, [this, k](Request r, Principal p, CallPtr c) { ChangeResource(k, Op::kDelete, std::move(r), std::move(p), std::move(c)); }}},
      };
      for (const auto& [method, route] : routes) {
        if (Status s = router.Add(method, route.first, scoped(route.second)); !s.ok()) return s;
      }
      if (spec.kind == "dnc_entry") {
        // DELETE /v1/dnc?e164=<number>: the same as DELETE /v1/dnc/<number>.
        Status s = router.Add("DELETE", base, scoped([this, k](Request r, Principal p, CallPtr c) {
          auto e164 = r.QueryParam("e164");
          if (!e164 || e164->empty()) {
            return c->Fail(ApiError::InvalidArgument("name the number to remove: DELETE /v1/dnc?e164=<number> or /v1/dnc/<number>",
                                                     {{"e164", "is required"}}));
          }
          r.path_params.emplace_back("id", std::string(*e164));
          ChangeResource(k, Op::kDelete, std::move(r), std::move(p), std::move(c));
        }));
        if (!s.ok()) return s;
      }
      if (spec.kind == "flow") {
        Status s = router.Add("POST", item + "/publish",
                              scoped([this, k](Request r, Principal p, CallPtr c) {
                                ChangeResource(k, Op::kPublish, std::move(r), std::move(p), std::move(c));
                              }));
        if (!s.ok()) return s;
      }
    }
    return Status::Ok();
  }

  // --- whoami and accounts -------------------------------------------------------------------

  void WhoAmI(Request request, Principal principal, CallPtr call) {
    auto account = ResolveActingAccount(request, principal, view, false);
    if (!account.ok()) return call->Fail(account.error());
    Json body = {{"accountId", account->empty() ? Json(nullptr) : Json(*account)},
                 {"scopes", principal.scopes},
                 {"via", std::string(principal.ViaName())}};
    call->Send(JsonResponse(200, body));
  }

  static Response AccountResponse(int status, const ResourceRow& row) {
    Response response = JsonResponse(status, RenderAccount(row));
    response.headers.Set("etag", ETagOf(row.revision));
    return response;
  }

  // Answers the account's current row (after a write the view has caught up with).
  void AnswerAccount(const CallPtr& call, const std::string& account_id, int status,
                     bool with_location = false) {
    auto row = LoadAccountRow(view, account_id);
    if (!row.ok()) return call->Fail(row.error());
    if (!row->has_value()) return call->Fail(ApiError::NotFound("account '" + account_id + "' not found"));
    Response response = AccountResponse(status, **row);
    if (with_location) response.headers.Set("location", "/v1/accounts/" + account_id);
    call->Send(std::move(response));
  }

  void GetOwnAccount(Request request, Principal principal, CallPtr call) {
    auto account = Acting(request, principal);
    if (!account.ok()) return call->Fail(account.error());
    auto row = LoadAccountRow(view, *account);
    if (!row.ok()) return call->Fail(row.error());
    if (!row->has_value()) return call->Fail(ApiError::NotFound("account '" + *account + "' not found"));
    if (NoneMatchHits(request, (*row)->revision)) {
      Response not_modified;
      not_modified.status = 304;
      not_modified.headers.Set("etag", ETagOf((*row)->revision));
      return call->Send(std::move(not_modified));
    }
    call->Send(AccountResponse(200, **row));
  }

  // The account of the path, visible to the principal; 404 otherwise.
  Result<ResourceRow, ApiError> VisibleAccount(const Request& request, const Principal& principal) const {
    const std::string id(request.PathParam("id").value_or(""));
    auto row = LoadAccountRow(view, id);
    if (!row.ok()) return row.error();
    if (!row->has_value() || !CanSeeAccount(principal, **row)) {
      return ApiError::NotFound("account '" + id + "' not found");
    }
    return std::move(**row);
  }

  void ListAccounts(Request request, Principal principal, CallPtr call) {
    auto paging = ParsePaging(request);
    if (!paging.ok()) return call->Fail(paging.error());
    std::string parent = principal.key_account_id;  // a key: its own children
    std::vector<std::pair<std::string, std::string>> filters;
    for (const auto& [name, value] : request.query) {
      if (name == "limit" || name == "cursor") continue;
      if (name == "parent_id" || name == "account_id") {
        if (!principal.is_admin()) {
          return call->Fail(ApiError::InvalidArgument(
              "'" + name + "' is for the admin key: an account key lists its own children",
              {{name, "not accepted with an account key"}}));
        }
        parent = value;
        continue;
      }
      if (name == "status" || name == "is_reseller") {
        filters.emplace_back(name, value == "true" ? "1" : value == "false" ? "0" : value);
        continue;
      }
      return call->Fail(ApiError::InvalidArgument(
          "unknown query parameter '" + name + "'",
          {{name, "not a filter of accounts (filters: parent_id, status, is_reseller)"}}));
    }
    if (auto header = request.headers.Get("x-account-id"); header && principal.is_admin()) {
      parent = std::string(*header);
    }
    if (principal.is_admin() && !parent.empty()) {
      auto row = LoadAccountRow(view, parent);
      if (!row.ok()) return call->Fail(row.error());
      if (!row->has_value()) return call->Fail(ApiError::NotFound("account '" + parent + "' not found"));
    }
    auto page = view.ListChildAccounts(parent, paging->cursor, paging->limit);
    if (!page.ok()) return call->Fail(FromStatus(page.status()));
    Json data = Json::array();
    for (const auto& row : page->rows) {
      Json doc = RenderAccount(row);
      bool keep = true;
      for (const auto& [field, wanted] : filters) {
        auto it = doc.find(field);
        const std::string have = it == doc.end() ? std::string()
                                 : it->is_string() ? it->get<std::string>()
                                                   : DumpJson(*it);
        keep = keep && have == wanted;
      }
      if (keep) data.push_back(std::move(doc));
    }
    Json body = {{"data", std::move(data)},
                 {"next_cursor", page->next_cursor.empty() ? Json(nullptr) : Json(page->next_cursor)}};
    call->Send(JsonResponse(200, body));
  }

  void CreateAccount(Request request, Principal principal, CallPtr call) {
    if (!principal.is_admin() && !principal.key_account_is_reseller) {
      return call->Fail(ApiError::PermissionDenied(
          "only the platform admin or a reseller account can create accounts"));
    }
    auto body = ParseObjectBody(request, false);
    if (!body.ok()) return call->Fail(body.error());
    auto key = IdempotencyKeyOf(request);
    if (!key.ok()) return call->Fail(key.error());
    auto normalized = model::NormalizeCreate(AccountSpec(), *body);
    if (!normalized.ok()) return call->Fail(FromValidation(normalized.error()));
    const Json& doc = normalized->document;

    if (DocString(doc, "status") != "active") {
      return call->Fail(ApiError::InvalidArgument(
          "an account is created active", {{"status", "must be 'active' or omitted on create"}}));
    }
    if (DocInt(doc, "is_reseller") != 0 && !principal.is_admin()) {
      return call->Fail(ApiError::PermissionDenied("only the platform admin can create a reseller"));
    }
    std::string parent = DocString(doc, "parent_id");
    if (!principal.is_admin()) {
      if (!parent.empty() && parent != principal.key_account_id) {
        return call->Fail(ApiError::InvalidArgument(
            "a reseller creates its own children",
            {{"parent_id", "must be '" + principal.key_account_id + "' or omitted"}}));
      }
      parent = principal.key_account_id;
    } else if (!parent.empty()) {
      auto row = LoadAccountRow(view, parent);
      if (!row.ok()) return call->Fail(row.error());
      if (!row->has_value() || DocInt((*row)->document, "is_reseller") == 0) {
        return call->Fail(ApiError::InvalidArgument(
            "parent_id must name an existing reseller account",
            {{"parent_id", "'" + parent + "' is not a reseller account"}}));
      }
    }

    AccountCommand command;
    command.kind = AccountCommand::Kind::kCreate;
    command.parent_id = parent;
    // A retry with the same Idempotency-Key reaches the same (new) account stream.
    command.account_id =
        key->empty() ? NewId(AccountSpec().id_prefix)
                     : AccountSpec().id_prefix +
                           commands::Sha256Hex(principal.CommandPrincipal() + "\n" + parent + "\n" + *key)
                               .substr(0, 32);
    std::vector<std::string> keys;
    for (const auto& [name, value] : doc.items()) keys.push_back(name);
    SettingsFromDocument(doc, keys, &command.settings);
    command.context = Context(request, principal, key->empty() ? std::string() : "POST /v1/accounts " + *key);
    const std::string account_id = command.account_id;
    Run(std::move(command), call, false, [this, call, account_id](AccountCommandResult) {
      AnswerAccount(call, account_id, 201, true);
    });
  }

  void GetAccount(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    if (NoneMatchHits(request, row->revision)) {
      Response not_modified;
      not_modified.status = 304;
      not_modified.headers.Set("etag", ETagOf(row->revision));
      return call->Send(std::move(not_modified));
    }
    call->Send(AccountResponse(200, *row));
  }

  // PATCH (whole = false) and PUT (whole = true) of an account: settings first, then a
  // status transition when the body names a different status.
  void ChangeAccount(bool whole, Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    auto body = ParseObjectBody(request, false);
    if (!body.ok()) return call->Fail(body.error());
    auto if_match = ParseIfMatch(request);
    if (!if_match.ok()) return call->Fail(if_match.error());
    const Json existing = NormalisedAccount(*row);
    auto merged = whole ? model::NormalizePut(AccountSpec(), existing, *body)
                        : model::NormalizePatch(AccountSpec(), existing, *body);
    if (!merged.ok()) return call->Fail(FromValidation(merged.error()));
    const Json& doc = merged->document;

    const std::string current_status = DocString(row->document, "status");
    const std::string wanted_status = body->contains("status") ? DocString(doc, "status") : current_status;
    const bool reseller_change = DocInt(doc, "is_reseller") != DocInt(row->document, "is_reseller");
    if (reseller_change && !principal.is_admin()) {
      return call->Fail(ApiError::PermissionDenied("only the platform admin can change is_reseller"));
    }
    if (wanted_status != current_status && !ManagesAccount(principal, *row)) {
      return call->Fail(ApiError::PermissionDenied(
          "only the account's reseller or the platform admin can change its status"));
    }

    std::vector<std::string> keys;
    if (whole) {
      keys = AllSettingNames();
    } else {
      for (const auto& [name, value] : body->items()) keys.push_back(name);
    }
    events::AccountSettings settings;
    std::vector<std::string> cleared;
    const size_t changed = SettingsFromDocument(doc, keys, &settings, &cleared);

    // One batch: the settings and the status change together or not at all, against the
    // revision If-Match names (checked by the actor, atomically with the write).
    std::vector<AccountCommand> commands;
    if (changed > 0) {
      AccountCommand update;
      update.kind = AccountCommand::Kind::kUpdate;
      update.account_id = row->id;
      update.settings = std::move(settings);
      update.cleared_settings = std::move(cleared);
      commands.push_back(std::move(update));
    }
    if (wanted_status != current_status) {
      AccountCommand transition;
      transition.account_id = row->id;
      if (wanted_status == "suspended") {
        transition.kind = AccountCommand::Kind::kSuspend;
      } else if (wanted_status == "closed") {
        transition.kind = AccountCommand::Kind::kClose;
      } else {
        transition.kind = AccountCommand::Kind::kReactivate;
      }
      transition.reason = "status set to " + wanted_status + " through /v1";
      commands.push_back(std::move(transition));
    }
    if (commands.empty()) {
      if (if_match->revision && *if_match->revision != row->revision) {
        return call->Fail(ApiError::PreconditionFailed(
            "If-Match names revision " + std::to_string(*if_match->revision) + " but the account is at " +
            std::to_string(row->revision) + "; nothing changed"));
      }
      return AnswerAccount(call, row->id, 200);
    }
    AccountCommand batch;
    batch.kind = AccountCommand::Kind::kBatch;
    batch.account_id = row->id;
    batch.steps = std::move(commands);
    batch.if_match_account_revision = if_match->revision;
    batch.context = Context(request, principal);
    const std::string account_id = row->id;
    Run(std::move(batch), call, if_match->present,
        [this, call, account_id](AccountCommandResult) { AnswerAccount(call, account_id, 200); });
  }

  void CloseAccount(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    if (!ManagesAccount(principal, *row)) {
      return call->Fail(ApiError::PermissionDenied(
          "an account cannot close itself; its reseller or the platform admin can"));
    }
    AccountCommand command;
    command.kind = AccountCommand::Kind::kClose;
    command.account_id = row->id;
    command.reason = "closed through /v1";
    command.context = Context(request, principal);
    Run(std::move(command), call, false, [call](AccountCommandResult) {
      Response no_content;
      no_content.status = 204;
      call->Send(std::move(no_content));
    });
  }

  // --- API keys ----------------------------------------------------------------------------

  static Json RenderKey(const projections::ApiKeyRow& key) {
    return {{"key_id", key.key_id},       {"account_id", key.account_id},
            {"scopes", key.scopes},       {"label", key.label},
            {"created_by", key.created_by}, {"created_at", key.created_ms / 1000},
            {"revoked", key.revoked ? 1 : 0}};
  }

  void MintKey(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    if (!ManagesAccount(principal, *row)) {
      return call->Fail(ApiError::PermissionDenied(
          "API keys are minted by the account's reseller or the platform admin"));
    }
    auto body = ParseObjectBody(request, true);
    if (!body.ok()) return call->Fail(body.error());
    auto key = IdempotencyKeyOf(request);
    if (!key.ok()) return call->Fail(key.error());

    std::vector<ErrorDetail> errors;
    std::vector<std::string> scopes = {"*"};
    std::string label;
    for (const auto& [name, value] : body->items()) {
      if (name == "scopes") {
        if (!value.is_array() || value.empty()) {
          errors.push_back({"scopes", "must be a non-empty array of scopes"});
          continue;
        }
        scopes.clear();
        for (size_t i = 0; i < value.size(); ++i) {
          if (!value[i].is_string() || !commands::IsValidApiKeyScope(value[i].get<std::string>())) {
            errors.push_back({"scopes[" + std::to_string(i) + "]",
                              "unknown scope (cdr, agents, queues, numbers, dnc, campaign, "
                              "webhooks, config, *)"});
          } else {
            scopes.push_back(value[i].get<std::string>());
          }
        }
      } else if (name == "label") {
        if (!value.is_string() || value.get_ref<const std::string&>().size() > 128) {
          errors.push_back({"label", "must be a string of at most 128 bytes"});
        } else {
          label = value.get<std::string>();
        }
      } else {
        errors.push_back({name, "unknown field"});
      }
    }
    if (!errors.empty()) return call->Fail(ApiError::InvalidArgument("the key request is invalid", errors));

    AccountCommand command;
    command.kind = AccountCommand::Kind::kApiKey;
    command.account_id = row->id;
    command.api_key.op = commands::ApiKeyCommand::Op::kMint;
    command.api_key.scopes = scopes;
    command.api_key.label = label;
    command.context = Context(request, principal, key->empty() ? std::string() : "POST " + request.path + " " + *key);
    Run(std::move(command), call, false, [this, call](AccountCommandResult result) {
      auto stored = view.FindApiKey(result.key_id);
      if (!stored.ok()) return call->Fail(FromStatus(stored.status()));
      if (!stored->has_value()) return call->Fail(ApiError::Internal("the minted key is not in the view"));
      Json body = RenderKey(**stored);
      // Shown once: a retried mint (same Idempotency-Key) cannot show it again.
      body["key"] = result.minted_key.empty() ? Json(nullptr) : Json(result.minted_key);
      Response response = JsonResponse(201, body);
      response.headers.Set("location", call->path + "/" + result.key_id);
      call->Send(std::move(response));
    });
  }

  void ListKeys(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    auto keys = view.ListApiKeys(row->id);
    if (!keys.ok()) return call->Fail(FromStatus(keys.status()));
    Json data = Json::array();
    for (const auto& key : *keys) data.push_back(RenderKey(key));
    call->Send(JsonResponse(200, Json{{"data", std::move(data)}, {"next_cursor", nullptr}}));
  }

  // The key of the path, belonging to the path's account; 404 otherwise.
  Result<projections::ApiKeyRow, ApiError> PathKey(const Request& request, const ResourceRow& account) const {
    const std::string key_id(request.PathParam("key_id").value_or(""));
    auto key = view.FindApiKey(key_id);
    if (!key.ok()) {
      if (key.status().code() == ErrorCode::kInvalidArgument) return ApiError::NotFound("API key not found");
      return FromStatus(key.status());
    }
    if (!key->has_value() || (*key)->account_id != account.id) {
      return ApiError::NotFound("API key '" + key_id + "' not found");
    }
    return std::move(**key);
  }

  void GetKey(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    auto key = PathKey(request, *row);
    if (!key.ok()) return call->Fail(key.error());
    call->Send(JsonResponse(200, RenderKey(*key)));
  }

  void RevokeKey(Request request, Principal principal, CallPtr call) {
    auto row = VisibleAccount(request, principal);
    if (!row.ok()) return call->Fail(row.error());
    auto key = PathKey(request, *row);
    if (!key.ok()) return call->Fail(key.error());
    AccountCommand command;
    command.kind = AccountCommand::Kind::kApiKey;
    command.account_id = row->id;
    command.api_key.op = commands::ApiKeyCommand::Op::kRevoke;
    command.api_key.key_id = key->key_id;
    command.context = Context(request, principal);
    Run(std::move(command), call, false, [call](AccountCommandResult) {
      Response no_content;
      no_content.status = 204;
      call->Send(std::move(no_content));
    });
  }

  Status AddAccountRoutes(Router& router) {
    auto route = [this](void (Impl::*member)(Request, Principal, CallPtr)) -> Body {
      return [this, member](Request r, Principal p, CallPtr c) { (this->*member)(std::move(r), std::move(p), std::move(c)); };
    };
    struct Entry {
      const char* method;
      const char* pattern;
      std::string_view scope;
      Body body;
    };
    const Entry entries[] = {
        {"GET", "/whoami", "", route(&Impl::WhoAmI)},
        {"GET", "/account", kConfigScope, route(&Impl::GetOwnAccount)},
        {"GET", "/accounts", kConfigScope, route(&Impl::ListAccounts)},
        {"POST", "/accounts", kConfigScope, route(&Impl::CreateAccount)},
        {"GET", "/accounts/{id}", kConfigScope, route(&Impl::GetAccount)},
        {"PATCH", "/accounts/{id}", kConfigScope,
         [this](Request r, Principal p, CallPtr c) { ChangeAccount(false, std::move(r), std::move(p), std::move(c)); }},
        {"PUT", "/accounts/{id}", kConfigScope,
         [this](Request r, Principal p, CallPtr c) { ChangeAccount(true, std::move(r), std::move(p), std::move(c)); }},
        {"DELETE", "/accounts/{id}", kConfigScope, route(&Impl::CloseAccount)},
        {"POST", "/accounts/{id}/api-keys", kConfigScope, route(&Impl::MintKey)},
        {"GET", "/accounts/{id}/api-keys", kConfigScope, route(&Impl::ListKeys)},
        {"GET", "/accounts/{id}/api-keys/{key_id}", kConfigScope, route(&Impl::GetKey)},
        {"DELETE", "/accounts/{id}/api-keys/{key_id}", kConfigScope, route(&Impl::RevokeKey)},
    };
    for (const Entry& e : entries) {
      if (Status s = router.Add(e.method, e.pattern, Guard(e.scope, e.body)); !s.ok()) return s;
    }
    return Status::Ok();
  }
};

ConfigApi::ConfigApi(commands::AccountService& accounts, const projections::ConfigView& view,
                     const Authenticator& authenticator, ConfigApiOptions options)
    : impl_(std::make_unique<Impl>(accounts, view, authenticator, options)) {}

ConfigApi::~ConfigApi() { Stop(); }

Status ConfigApi::AddRoutes(Router& router) {
  if (Status s = impl_->AddAccountRoutes(router); !s.ok()) return s;
  return impl_->AddResourceRoutes(router);
}

Status ConfigApi::AddAccountRoute(Router& router, std::string_view method, std::string_view pattern,
                                  std::vector<std::string> scopes, AccountHandler handler) {
  Impl* impl = impl_.get();
  return router.Add(method, pattern,
                    impl->Guard(std::move(scopes), [impl, handler = std::move(handler)](Request request, Principal principal,
                                                                                      CallPtr call) {
                      auto account = impl->Acting(request, principal);
                      if (!account.ok()) return call->Fail(account.error());
                      impl->OnWorker(handler, std::move(request), std::move(principal), std::move(account).value(),
                                     call);
                    }));
}

void ConfigApi::DescribeRoutes(RouteDocument& document) const { DescribeConfigRoutes(document); }

void ConfigApi::AddStreamedCreate(std::string kind, AccountHandler handler) {
  impl_->streamed_creates[std::move(kind)] = std::move(handler);
}

void ConfigApi::Stop() { impl_->workers.Stop(); }

}  // namespace dialtone::gateway::v1
