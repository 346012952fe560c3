#include "gateway/v1/openapi.h"

#include <string>
#include <vector>

#include "model/schema.h"

namespace dialtone::gateway::v1 {

namespace openapi {

Json Ref(const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; }

Json ListSchema(const std::string& item) {
  return Json{{"type", "object"},
              {"properties", {{"data", {{"type", "array"}, {"items", Ref(item)}}}, {"next_cursor", {{"type", {"string", "null"}}}}}},
              {"required", {"data", "next_cursor"}},
              {"additionalProperties", false}};
}

Json JsonContent(Json schema) { return Json{{"application/json", {{"schema", std::move(schema)}}}}; }

Json Responses(std::vector<std::pair<int, Json>> successes, const std::vector<int>& errors) {
  Json out = Json::object();
  for (const auto& [status, content] : successes) {
    Json r = {{"description", status == 204 ? "no content" : status == 304 ? "not modified" : "success"}};
    if (!content.is_null()) r["content"] = content;
    out[std::to_string(status)] = std::move(r);
  }
  for (int status : errors) {
    out[std::to_string(status)] = {{"description", "error"}, {"content", JsonContent(Ref("Error"))}};
  }
  return out;
}

Json Param(const std::string& name, const std::string& in, Json schema, bool required,
           const std::string& description) {
  Json p = {{"name", name}, {"in", in}, {"schema", std::move(schema)}, {"required", required || in == "path"}};
  if (!description.empty()) p["description"] = description;
  return p;
}

// Parameters every account-scoped route takes.
Json AccountParams() {
  return Json::array({Param("x-account-id", "header", kString, false,
                            "the account to act on: a reseller's child, or any account for the admin key"),
                      Param("account_id", "query", kString, false, "as x-account-id")});
}

Json With(Json params, std::initializer_list<Json> more) {
  for (const Json& p : more) params.push_back(p);
  return params;
}

Json ObjectOf(Json properties, std::vector<std::string> required, bool closed) {
  Json s = {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
  if (closed) s["additionalProperties"] = false;
  return s;
}

}  // namespace openapi

namespace {

using Json = nlohmann::json;
using namespace openapi;
using model::FieldSpec;
using model::FieldType;
using model::ResourceSpec;

// `schema` that may also be null.
Json Nullable(Json schema) {
  if (schema.contains("$ref")) return Json{{"anyOf", {schema, {{"type", "null"}}}}};
  if (schema.contains("type") && schema["type"].is_string()) {
    schema["type"] = Json::array({schema["type"], "null"});
    if (schema.contains("enum")) schema["enum"].push_back(nullptr);
    return schema;
  }
  return Json{{"anyOf", {schema, {{"type", "null"}}}}};
}

// The JSON Schema of one field's value, as stored and answered.
Json ValueSchema(const FieldSpec& f) {
  Json s;
  switch (f.type) {
    case FieldType::kInt:
    case FieldType::kTimestamp:
      s = {{"type", "integer"}};
      if (f.min) s["minimum"] = *f.min;
      if (f.max) s["maximum"] = *f.max;
      break;
    case FieldType::kBool01:
      s = {{"type", "integer"}, {"enum", {0, 1}}, {"description", "boolean as 0/1"}};
      break;
    case FieldType::kEnum:
      s = {{"type", "string"}, {"enum", f.enum_values}};
      break;
    case FieldType::kEnumList:
      s = {{"type", "array"}, {"items", {{"type", "string"}, {"enum", f.enum_values}}}, {"uniqueItems", true}};
      if (f.min) s["minItems"] = *f.min;
      if (f.max) s["maxItems"] = *f.max;
      break;
    case FieldType::kE164:
      s = {{"type", "string"}, {"pattern", "^[0-9]{8,15}$"}, {"description", "E.164 digits, no '+'"}};
      break;
    case FieldType::kJson:
      s = {{"type", "object"}};
      break;
    case FieldType::kHhmm:
      s = {{"type", "string"}, {"pattern", "^([01][0-9]|2[0-4]):[0-5][0-9]$"}};
      break;
    case FieldType::kDate:
      s = {{"type", "string"}, {"format", "date"}};
      break;
    case FieldType::kUrl:
      s = {{"type", "string"}, {"format", "uri"}};
      break;
    case FieldType::kEmail:
      s = {{"type", "string"}, {"format", "email"}};
      break;
    case FieldType::kDigits:
      s = {{"type", "string"}, {"pattern", "^[0-9*#]*$"}};
      break;
    case FieldType::kCountry:
      s = {{"type", "string"}, {"pattern", "^[A-Z]{2}$"}};
      break;
    case FieldType::kCidr:
      s = {{"type", "string"}, {"description", "IPv4 or IPv6 network, addr/bits"}};
      break;
    case FieldType::kRef:
      s = {{"type", "string"}, {"description", "id of a " + f.ref_kind + " of the same account"}};
      break;
    default:
      s = {{"type", "string"}};
      if (f.type == FieldType::kString) {
        if (f.min) s["minLength"] = *f.min;
        if (f.max) s["maxLength"] = *f.max;
      }
      break;
  }
  if (!f.ref_kind.empty()) s["x-dialtone-ref"] = f.ref_kind;
  return s;
}

// The document as every read answers it: every public field, always present.
Json ResponseSchema(const ResourceSpec& spec) {
  Json properties = Json::object();
  std::vector<std::string> required;
  for (const FieldSpec& f : spec.fields) {
    if (f.write_only || f.type == FieldType::kPassword) continue;
    Json s = f.type == FieldType::kSecret
                 ? Json{{"type", "string"}, {"description", "opaque reference to a write-only secret (written as `" +
                                                                f.write_name + "`)"}}
                 : ValueSchema(f);
    if (f.nullable || f.type == FieldType::kSecret) s = Nullable(std::move(s));
    if (f.read_only) s["readOnly"] = true;
    properties[f.name] = std::move(s);
    required.push_back(f.name);
  }
  return Json{{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}};
}

// A create (`whole`) / PUT body, or a PATCH body (no required fields).
Json RequestSchema(const ResourceSpec& spec, bool whole) {
  Json properties = Json::object();
  std::vector<std::string> required;
  for (const FieldSpec& f : spec.fields) {
    if (f.read_only) continue;
    const std::string name = f.write_name.empty() ? f.name : f.write_name;
    Json s = f.type == FieldType::kSecret || f.type == FieldType::kPassword
                 ? Json{{"type", "string"}, {"writeOnly", true}}
                 : ValueSchema(f);
    if (f.type == FieldType::kBool01) s = Json{{"type", {"integer", "boolean"}}, {"description", "0/1 or false/true"}};
    if (f.nullable || (f.type == FieldType::kSecret && !f.required)) s = Nullable(std::move(s));
    properties[name] = std::move(s);
    if (whole && f.required && f.name != spec.parent_field) required.push_back(name);
  }
  Json schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

void AddKindPaths(const ResourceSpec& spec, Json& paths, Json& schemas) {
  const std::string name = SchemaNameOf(spec.kind);
  schemas[name] = ResponseSchema(spec);
  schemas[name + "Create"] = RequestSchema(spec, true);
  schemas[name + "Patch"] = RequestSchema(spec, false);
  schemas[name + "Page"] = ListSchema(name);

  std::string base = "/";
  Json params = AccountParams();
  if (!spec.parent_kind.empty()) {
    const ResourceSpec* parent = model::FindResource(spec.parent_kind);
    base += parent->collection + "/{parent_id}/";
    params.push_back(Param("parent_id", "path", kString, true, "the " + spec.parent_kind + " it belongs to"));
  }
  base += spec.collection;
  const std::string item = base + "/{id}";
  const Json tags = Json::array({spec.kind});

  Json list_params = With(params, {Param("limit", "query", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}),
                                   Param("cursor", "query", kString)});
  for (const std::string& filter : spec.list_filters) {
    list_params.push_back(Param(filter, "query", kString, false, "equality filter"));
  }
  const std::string id_description = spec.kind == "dnc_entry" ? "the entry's id, or its number (with or without '+')" : "";
  const Json item_params = With(params, {Param("id", "path", kString, true, id_description)});
  const Json if_match = Param("if-match", "header", kString, false, "the ETag of the revision the change is based on");
  Json content_types = {{"application/json", {{"schema", Ref(name + "Create")}}}};
  Json create_types = content_types;
  if (spec.kind == "media_file") {
    // The one-step upload: the file and the fields as a form (the fields as text).
    Json form = RequestSchema(spec, false);
    for (auto& [field, schema] : form["properties"].items()) schema = {{"type", "string"}};
    form["properties"]["file"] = {{"type", "string"}, {"contentMediaType", "audio/*"}};
    form["required"] = Json::array({"file"});
    create_types["multipart/form-data"] = {{"schema", form}};
  }

  paths[base]["get"] = {{"tags", tags}, {"summary", "list " + spec.collection},
                        {"operationId", "list_" + spec.kind},
                        {"parameters", list_params},
                        {"responses", Responses({{200, JsonContent(Ref(name + "Page"))}}, kReadErrors)}};
  Json create_success = {{201, JsonContent(Ref(name))}};
  paths[base]["post"] = {
      {"tags", tags}, {"summary", "create a " + spec.kind}, {"operationId", "create_" + spec.kind},
      {"parameters", With(params, {Param("idempotency-key", "header", kString, false,
                                         "a retry with the same key answers the same and writes once")})},
      {"requestBody", {{"required", true}, {"content", create_types}}},
      {"responses", spec.kind == "dnc_entry"
                        ? Responses({{201, JsonContent(Ref(name))}, {200, JsonContent(Ref(name))}}, kWriteErrors)
                        : Responses({{201, JsonContent(Ref(name))}}, kWriteErrors)}};
  paths[item]["get"] = {{"tags", tags}, {"summary", "one " + spec.kind}, {"operationId", "get_" + spec.kind},
                        {"parameters", With(item_params, {Param("if-none-match", "header", kString)})},
                        {"responses", Responses({{200, JsonContent(Ref(name))}, {304, nullptr}}, kReadErrors)}};
  paths[item]["patch"] = {{"tags", tags}, {"summary", "change some fields"}, {"operationId", "patch_" + spec.kind},
                          {"parameters", With(item_params, {if_match})},
                          {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", Ref(name + "Patch")}}}}}}},
                          {"responses", Responses({{200, JsonContent(Ref(name))}}, kWriteErrors)}};
  paths[item]["put"] = {{"tags", tags}, {"summary", "replace the whole resource"}, {"operationId", "put_" + spec.kind},
                        {"parameters", With(item_params, {if_match})},
                        {"requestBody", {{"required", true}, {"content", content_types}}},
                        {"responses", Responses({{200, JsonContent(Ref(name))}}, kWriteErrors)}};
  paths[item]["delete"] = {{"tags", tags}, {"summary", "delete (409 names what still refers to it)"},
                           {"operationId", "delete_" + spec.kind}, {"parameters", With(item_params, {if_match})},
                           {"responses", Responses({{204, nullptr}}, kWriteErrors)}};
  if (spec.kind == "flow") {
    paths[item + "/publish"]["post"] = {
        {"tags", tags}, {"summary", "validate the draft graph and publish it as a new version"},
        {"operationId", "publish_flow"}, {"parameters", With(item_params, {if_match})},
        {"responses", Responses({{200, JsonContent(Ref(name))}}, kWriteErrors)}};
  }
  if (spec.kind == "dnc_entry") {
    paths[base]["delete"] = {{"tags", tags}, {"summary", "remove a number from the list"},
                             {"operationId", "delete_dnc_by_number"},
                             {"parameters", With(params, {Param("e164", "query", kString, true)})},
                             {"responses", Responses({{204, nullptr}}, kWriteErrors)}};
  }
}

Json AccountSchema() {
  const ResourceSpec* spec = model::FindResource("account");
  Json schema = ResponseSchema(*spec);
  return schema;
}

Json ErrorSchema() {
  return Json{{"type", "object"},
              {"properties",
               {{"error",
                 {{"type", "object"},
                  {"properties",
                   {{"code", {{"type", "string"}}},
                    {"message", {{"type", "string"}}},
                    {"details",
                     {{"type", "array"},
                      {"items", {{"type", "object"},
                                 {"properties", {{"path", {{"type", "string"}}}, {"message", {{"type", "string"}}}}},
                                 {"required", {"path", "message"}},
                                 {"additionalProperties", false}}}}},
                    {"request_id", {{"type", "string"}}}}},
                  {"required", {"code", "message", "details", "request_id"}},
                  {"additionalProperties", false}}}}},
              {"required", {"error"}},
              {"additionalProperties", false}};
}

void AddAccountPaths(Json& paths, Json& schemas) {
  schemas["Account"] = AccountSchema();
  const ResourceSpec* account = model::FindResource("account");
  schemas["AccountCreate"] = RequestSchema(*account, true);
  schemas["AccountPatch"] = RequestSchema(*account, false);
  schemas["AccountPage"] = ListSchema("Account");
  const Json nullable_string = {{"type", {"string", "null"}}};
  schemas["WhoAmI"] = ObjectOf({{"accountId", nullable_string},
                                {"scopes", {{"type", "array"}, {"items", kString}}},
                                {"via", {{"type", "string"}, {"enum", {"admin", "api_key", "access_token"}}}}},
                               {"accountId", "scopes", "via"});
  const Json key_properties = {{"key_id", kString},
                               {"account_id", kString},
                               {"scopes", {{"type", "array"}, {"items", kString}}},
                               {"label", kString},
                               {"created_by", kString},
                               {"created_at", {{"type", "integer"}}},
                               {"revoked", {{"type", "integer"}, {"enum", {0, 1}}}}};
  const std::vector<std::string> key_required = {"key_id", "account_id", "scopes", "label", "created_by", "created_at", "revoked"};
  schemas["ApiKey"] = ObjectOf(key_properties, key_required);
  Json minted = key_properties;
  minted["key"] = {{"type", {"string", "null"}}, {"description", "the whole key, shown once (null on an idempotent retry)"}};
  std::vector<std::string> minted_required = key_required;
  minted_required.push_back("key");
  schemas["ApiKeyMinted"] = ObjectOf(minted, minted_required);
  schemas["ApiKeyPage"] = ListSchema("ApiKey");
  schemas["ApiKeyRequest"] = ObjectOf({{"scopes", {{"type", "array"}, {"items", kString}, {"minItems", 1}}},
                                       {"label", {{"type", "string"}, {"maxLength", 128}}}},
                                      {});

  const Json tags = Json::array({"account"});
  const Json id = Param("id", "path", kString, true);
  const Json if_match = Param("if-match", "header", kString);
  paths["/whoami"]["get"] = {{"tags", tags}, {"summary", "who the credential is"}, {"operationId", "whoami"},
                                {"parameters", AccountParams()},
                                {"responses", Responses({{200, JsonContent(Ref("WhoAmI"))}}, {400, 401, 404})}};
  paths["/account"]["get"] = {{"tags", tags}, {"summary", "the acting account"}, {"operationId", "get_own_account"},
                                 {"parameters", AccountParams()},
                                 {"responses", Responses({{200, JsonContent(Ref("Account"))}, {304, nullptr}}, kReadErrors)}};
  paths["/accounts"]["get"] = {
      {"tags", tags}, {"summary", "the caller's child accounts (admin: platform-direct, or of parent_id)"},
      {"operationId", "list_accounts"},
      {"parameters", Json::array({Param("limit", "query", {{"type", "integer"}}), Param("cursor", "query", kString),
                                  Param("parent_id", "query", kString), Param("status", "query", kString),
                                  Param("is_reseller", "query", kString)})},
      {"responses", Responses({{200, JsonContent(Ref("AccountPage"))}}, kReadErrors)}};
  paths["/accounts"]["post"] = {
      {"tags", tags}, {"summary", "create an account (admin, or a reseller for its child)"},
      {"operationId", "create_account"}, {"parameters", Json::array({Param("idempotency-key", "header", kString)})},
      {"requestBody", {{"required", true}, {"content", JsonContent(Ref("AccountCreate"))}}},
      {"responses", Responses({{201, JsonContent(Ref("Account"))}}, kWriteErrors)}};
  paths["/accounts/{id}"]["get"] = {{"tags", tags}, {"operationId", "get_account"}, {"parameters", Json::array({id})},
                                       {"responses", Responses({{200, JsonContent(Ref("Account"))}, {304, nullptr}}, kReadErrors)}};
  paths["/accounts/{id}"]["patch"] = {{"tags", tags}, {"operationId", "patch_account"}, {"parameters", Json::array({id, if_match})},
                                         {"requestBody", {{"required", true}, {"content", JsonContent(Ref("AccountPatch"))}}},
                                         {"responses", Responses({{200, JsonContent(Ref("Account"))}}, kWriteErrors)}};
  paths["/accounts/{id}"]["put"] = {{"tags", tags}, {"operationId", "put_account"}, {"parameters", Json::array({id, if_match})},
                                       {"requestBody", {{"required", true}, {"content", JsonContent(Ref("AccountCreate"))}}},
                                       {"responses", Responses({{200, JsonContent(Ref("Account"))}}, kWriteErrors)}};
  paths["/accounts/{id}"]["delete"] = {{"tags", tags}, {"summary", "close the account"}, {"operationId", "close_account"},
                                          {"parameters", Json::array({id})},
                                          {"responses", Responses({{204, nullptr}}, kWriteErrors)}};
  paths["/accounts/{id}/api-keys"]["post"] = {
      {"tags", tags}, {"summary", "mint an API key (shown once)"}, {"operationId", "mint_api_key"},
      {"parameters", Json::array({id, Param("idempotency-key", "header", kString)})},
      {"requestBody", {{"required", false}, {"content", JsonContent(Ref("ApiKeyRequest"))}}},
      {"responses", Responses({{201, JsonContent(Ref("ApiKeyMinted"))}}, kWriteErrors)}};
  paths["/accounts/{id}/api-keys"]["get"] = {{"tags", tags}, {"operationId", "list_api_keys"}, {"parameters", Json::array({id})},
                                                {"responses", Responses({{200, JsonContent(Ref("ApiKeyPage"))}}, kReadErrors)}};
  const Json key_id = Param("key_id", "path", kString, true);
  paths["/accounts/{id}/api-keys/{key_id}"]["get"] = {
      {"tags", tags}, {"operationId", "get_api_key"}, {"parameters", Json::array({id, key_id})},
      {"responses", Responses({{200, JsonContent(Ref("ApiKey"))}}, kReadErrors)}};
  paths["/accounts/{id}/api-keys/{key_id}"]["delete"] = {
      {"tags", tags}, {"summary", "revoke"}, {"operationId", "revoke_api_key"}, {"parameters", Json::array({id, key_id})},
      {"responses", Responses({{204, nullptr}}, kWriteErrors)}};
}

}  // namespace

std::string SchemaNameOf(std::string_view kind) {
  std::string out;
  bool upper = true;
  for (char c : kind) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

void DescribeConfigRoutes(RouteDocument& document) {
  AddAccountPaths(document.paths, document.schemas);
  for (const ResourceSpec& spec : model::AllResources()) {
    if (spec.kind != "account" && spec.generic_api) AddKindPaths(spec, document.paths, document.schemas);
  }
}

nlohmann::json V1BaseDocument() {
  Json paths = Json::object();
  paths["/v1/openapi.json"]["get"] = {{"tags", {"ops"}}, {"summary", "this document"}, {"operationId", "v1_openapi"},
                                      {"security", Json::array()},
                                      {"responses", Responses({{200, JsonContent({{"type", "object"}})}}, {})}};
  Json schemas = Json::object();
  schemas["Error"] = ErrorSchema();
  return Json{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "dialtone native API (/v1)"},
        {"version", "1"},
        {"description",
         "Configuration of tenants (accounts, resellers) and every resource of the SIP.IO reference, over an "
         "event-sourced core. Booleans are 0/1, times epoch seconds, secrets write-only (answered as *_secret_ref). "
         "Every write answers after the read views show it (read-your-writes); every resource has an ETag and "
         "honours If-Match."}}},
      {"servers", Json::array({{{"url", "/"}}})},
      {"security", Json::array({{{"ApiKey", Json::array()}}, {{"Bearer", Json::array()}}})},
      {"paths", paths},
      {"components",
       {{"schemas", schemas},
        {"securitySchemes",
         {{"ApiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}}},
          {"Bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace dialtone::gateway::v1
