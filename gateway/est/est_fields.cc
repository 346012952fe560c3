#include "gateway/est/est_fields.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>

#include "gateway/est/errors.h"
#include "gateway/json_body.h"
#include "refdata/time_filter.h"

namespace dialtone::gateway::est::internal {
Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Json TimeOf(const Json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_number_integer()) return nullptr;
  return refdata::FormatRfc3339(it->get<int64_t>() * 1000);
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

const model::ResourceSpec& Spec(std::string_view kind) {
  const model::ResourceSpec* spec = model::FindResource(kind);
  assert(spec != nullptr && "the model table lacks an EST kind");
  return *spec;
}

bool IsCommonReadOnly(std::string_view key) {
  return key == "id" || key == "createTime" || key == "updateTime" || key == "projectId";
}

std::string EstPath(const std::vector<FieldMap>& fields, std::string_view model_path, std::string_view prefix) {
  const size_t cut = model_path.find_first_of(".[");
  const std::string_view head = model_path.substr(0, cut);
  const std::string_view rest = cut == std::string_view::npos ? std::string_view() : model_path.substr(cut);
  std::string name(head);
  for (const FieldMap& f : fields) {
    if (f.model == head) name = std::string(f.est);
  }
  if (head == "kind") name = "isRegistered";
  if (head == "password_ref") name = "password";
  return std::string(prefix) + name + std::string(rest);
}

void AppendDetails(const std::vector<FieldMap>& fields, const std::vector<model::FieldError>& errors, std::string_view prefix, std::vector<ErrorDetail>* out) {
  for (const auto& e : errors) out->push_back({EstPath(fields, e.path, prefix), e.message});
}

ApiError InvalidFrom(std::vector<ErrorDetail> details) {
  std::string message;
  for (const auto& d : details) {
    message += (message.empty() ? "" : "; ") + (d.path.empty() ? std::string("body") : d.path) + ": " +
               d.message;
  }
  return ApiError::InvalidArgument(message, std::move(details));
}

void ToModel(const std::vector<FieldMap>& fields, const Json& body, std::string_view prefix, const std::set<std::string>& skip, std::string_view what, Json* out, std::vector<ErrorDetail>* errors) {
  for (const auto& [key, value] : body.items()) {
    if (IsCommonReadOnly(key) || skip.contains(key)) continue;
    const FieldMap* f = nullptr;
    for (const FieldMap& candidate : fields) {
      if (candidate.est == key) f = &candidate;
    }
    if (f == nullptr) {
      errors->push_back({std::string(prefix) + key, "is not a field of " + std::string(what)});
      continue;
    }
    if (!f->writable || value.is_null()) continue;
    const std::string path = std::string(prefix) + key;
    switch (f->conv) {
      case Conv::kPlain: (*out)[std::string(f->model)] = value; break;
      case Conv::kBool:
        if (!value.is_boolean()) {
          errors->push_back({path, std::string("must be a boolean, not ") + value.type_name()});
        } else {
          (*out)[std::string(f->model)] = value.get<bool>() ? 1 : 0;
        }
        break;
      case Conv::kUpper:
        (*out)[std::string(f->model)] = value.is_string() ? Json(Lower(value.get<std::string>())) : value;
        break;
      case Conv::kPlus:
        if (value.is_string()) {
          std::string s = value.get<std::string>();
          if (!s.empty() && s.front() == '+') s.erase(0, 1);
          (*out)[std::string(f->model)] = s;
        } else {
          (*out)[std::string(f->model)] = value;
        }
        break;
    }
  }
}

Json PutAsPatch(const model::ResourceSpec& spec, const std::vector<FieldMap>& fields, Json converted) {
  for (const FieldMap& f : fields) {
    if (!f.writable || converted.contains(std::string(f.model))) continue;
    const model::FieldSpec* field = spec.Field(f.model);
    if (field == nullptr || field->immutable || field->type == model::FieldType::kSecret) continue;
    converted[std::string(f.model)] = field->default_value;
  }
  return converted;
}

Json FromModel(const std::vector<FieldMap>& fields, const Json& doc) {
  Json out = Json::object();
  for (const FieldMap& f : fields) {
    auto it = doc.find(f.model);
    if (it == doc.end()) continue;  // write-only fields (password) are not in documents
    const Json& v = *it;
    switch (f.conv) {
      case Conv::kPlain: out[std::string(f.est)] = v; break;
      case Conv::kBool: out[std::string(f.est)] = DocInt(doc, f.model) != 0; break;
      case Conv::kUpper: out[std::string(f.est)] = v.is_string() ? Json(Upper(v.get<std::string>())) : v; break;
      case Conv::kPlus:
        out[std::string(f.est)] = v.is_string() && !v.get<std::string>().empty() ? Json("+" + v.get<std::string>()) : v;
        break;
    }
  }
  return out;
}

Json Common(Json out, const ResourceRow& row, bool with_project) {
  out["id"] = row.id;
  out["createTime"] = TimeOf(row.document, "created_at");
  out["updateTime"] = TimeOf(row.document, "updated_at");
  if (with_project) out["projectId"] = row.account_id;
  return out;
}

Json RenderTrunk(const ResourceRow& row) { return Common(FromModel(kTrunkFields, row.document), row); }

Json RenderRange(const ResourceRow& row) { return Common(FromModel(kRangeFields, row.document), row); }

Json RenderRule(const ResourceRow& row) { return Common(FromModel(kRuleFields, row.document), row); }

Json RenderNumber(const ResourceRow& row) {
  return Common(FromModel(kNumberFields, row.document), row, false);
}

Json RenderEndpoint(const ResourceRow& row) {
  Json out = Common(FromModel(kEndpointFields, row.document), row, false);
  if (DocString(row.document, "kind") == "registered") {
    out["isRegistered"] = true;
    out.erase("address");
    out.erase("port");
  } else {
    out.erase("credentialUsername");
  }
  return out;
}

ResourceRow RowOf(const commands::ResourceResult& r, std::string account_id) {
  ResourceRow row;
  row.account_id = std::move(account_id);
  row.kind = r.kind;
  row.id = r.id;
  row.document = r.document;
  row.revision = r.revision;
  return row;
}

Result<Paging, ApiError> ParsePaging(const Request& request, size_t default_size) {
  Paging p;
  p.size = default_size;
  if (auto page = request.QueryParam("page")) {
    auto n = ParseInt(*page);
    if (!n || *n < 1) {
      return ApiError::InvalidArgument("page must be an integer >= 1", {{"page", "must be an integer >= 1"}});
    }
    p.page = static_cast<size_t>(*n);
  }
  // The seed names it pageSize; the Sinch SDKs send size. Both may be sent if they agree.
  std::optional<size_t> chosen;
  for (const char* name : {"pageSize", "size"}) {
    auto text = request.QueryParam(name);
    if (!text) continue;
    auto n = ParseInt(*text);
    if (!n || *n < 1 || *n > static_cast<int64_t>(kMaxPageSize)) {
      return ApiError::InvalidArgument(std::string(name) + " must be an integer from 1 to 500",
                                       {{name, "must be an integer from 1 to 500"}});
    }
    if (chosen && *chosen != static_cast<size_t>(*n)) {
      return ApiError::InvalidArgument("pageSize and size name different page sizes",
                                       {{"size", "differs from pageSize"}});
    }
    chosen = static_cast<size_t>(*n);
  }
  if (chosen) p.size = *chosen;
  return p;
}

Json Envelope(std::string_view items_key, const std::vector<Json>& all, const Paging& p) {
  Json items = Json::array();
  const size_t begin = (p.page - 1) * p.size;
  for (size_t i = begin; i < all.size() && items.size() < p.size; ++i) items.push_back(all[i]);
  return Json{{std::string(items_key), std::move(items)},
              {"totalItems", all.size()},
              {"pageNumber", p.page},
              {"pageSize", p.size}};
}

Result<Json, ApiError> ParseBody(const Request& request) {
  if (request.body.empty()) return ApiError::InvalidArgument("a JSON body is required");
  auto content_type = request.headers.Get("content-type");
  if (!content_type || !IsJsonMediaType(*content_type)) {
    return ApiError::UnsupportedMediaType("the body must be sent as application/json");
  }
  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return ApiError::InvalidArgument("the body is not valid JSON", {{"", "malformed JSON"}});
  return body;
}

Result<Json, ApiError> ParseObject(const Request& request) {
  auto body = ParseBody(request);
  if (!body.ok()) return body;
  if (!body->is_object()) {
    return ApiError::InvalidArgument("the body must be a JSON object",
                                     {{"", std::string("got ") + body->type_name()}});
  }
  return body;
}

Result<std::vector<std::string>, ApiError> IdList(const Json& body, std::string_view key, bool allow_bare_array) {
  const Json* list = nullptr;
  std::string prefix;
  if (body.is_array() && allow_bare_array) {
    list = &body;
  } else if (body.is_object()) {
    for (const auto& [k, v] : body.items()) {
      if (k != key) return ApiError::InvalidArgument(k + " is not a field of this request", {{k, "is not a field"}});
    }
    auto it = body.find(key);
    if (it == body.end() || !it->is_array()) {
      return ApiError::InvalidArgument(std::string(key) + " must be an array of ids",
                                       {{std::string(key), "must be an array of strings"}});
    }
    list = &*it;
    prefix = std::string(key);
  } else {
    return ApiError::InvalidArgument("the body must be an array of ids");
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    if (!v.is_string() || v.get<std::string>().empty()) {
      return ApiError::InvalidArgument("ids must be non-empty strings",
                                       {{prefix + "[" + std::to_string(i) + "]", "must be a non-empty string"}});
    }
    if (std::find(ids.begin(), ids.end(), v.get<std::string>()) == ids.end()) ids.push_back(v.get<std::string>());
  }
  return ids;
}

}  // namespace dialtone::gateway::est::internal
