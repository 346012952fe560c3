#include "gateway/est/openapi.h"

#include <algorithm>
#include <cctype>

#include "gateway/est/est_api.h"

#include <string>
#include <vector>

namespace dialtone::gateway::est {

namespace {

using Json = nlohmann::json;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Json Ref(const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; }
Json Str() { return Json{{"type", "string"}}; }
Json NullableStr() { return Json{{"type", {"string", "null"}}}; }
Json Int() { return Json{{"type", "integer"}}; }
Json Bool() { return Json{{"type", "boolean"}}; }
Json Time() { return Json{{"type", {"string", "null"}}, {"format", "date-time"}}; }
Json ArrayOf(Json items) { return Json{{"type", "array"}, {"items", std::move(items)}}; }
Json Enum(std::vector<std::string> values) { return Json{{"type", "string"}, {"enum", std::move(values)}}; }

// A closed object: `required` names the properties always present.
Json Object(Json properties, std::vector<std::string> required) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)},
              {"additionalProperties", false}};
}

// Properties every stored EST resource carries.
Json WithCommon(Json properties, bool with_project = true) {
  properties["id"] = Str();
  properties["createTime"] = Time();
  properties["updateTime"] = Time();
  if (with_project) properties["projectId"] = Str();
  return properties;
}
std::vector<std::string> CommonRequired(std::vector<std::string> more, bool with_project = true) {
  for (const char* name : {"id", "createTime", "updateTime"}) more.push_back(name);
  if (with_project) more.push_back("projectId");
  return more;
}

Json Envelope(const std::string& key, Json items) {
  return Object({{key, ArrayOf(std::move(items))}, {"totalItems", Int()}, {"pageNumber", Int()}, {"pageSize", Int()}},
                {key, "totalItems", "pageNumber", "pageSize"});
}

Json Schemas() {
  Json s = Json::object();
  s["Error"] = Object({{"code", Int()},
                       {"status", Str()},
                       {"message", Str()},
                       {"details", ArrayOf(Object({{"field", Str()}, {"description", Str()}}, {"field", "description"}))}},
                      {"code", "status", "message", "details"});
  s["Trunk"] = Object(WithCommon({{"name", Str()},
                                  {"hostName", NullableStr()},
                                  {"enableCallerName", Bool()},
                                  {"topLevelDomain", Str()},
                                  {"domain", NullableStr()},
                                  {"callsPerSecond", Int()}}),
                      CommonRequired({"name", "hostName", "enableCallerName", "topLevelDomain", "domain", "callsPerSecond"}));
  s["TrunkRequest"] = Json{{"type", "object"},
                           {"properties", {{"name", Str()}, {"hostName", Str()}, {"enableCallerName", Bool()}}},
                           {"required", {"name", "hostName"}}};
  s["Endpoint"] = Object(WithCommon({{"sipTrunkId", Str()},
                                     {"name", Str()},
                                     {"address", Str()},
                                     {"port", Int()},
                                     {"isRegistered", Bool()},
                                     {"credentialUsername", NullableStr()},
                                     {"transport", Enum({"UDP", "TCP", "TLS"})},
                                     {"priority", Int()},
                                     {"enabled", Bool()}},
                                    false),
                         CommonRequired({"sipTrunkId", "name", "transport", "priority", "enabled"}, false));
  s["IpRange"] = Object(WithCommon({{"accessControlListId", Str()},
                                    {"description", NullableStr()},
                                    {"ipAddress", Str()},
                                    {"range", Int()}}),
                        CommonRequired({"accessControlListId", "description", "ipAddress", "range"}));
  s["AccessControlList"] = Object(WithCommon({{"name", Str()},
                                              {"enabled", Bool()},
                                              {"ipRanges", ArrayOf(Ref("IpRange"))},
                                              {"trunks", ArrayOf(Str())}}),
                                  CommonRequired({"name", "enabled", "ipRanges", "trunks"}));
  s["CredentialList"] = Object(WithCommon({{"name", Str()},
                                           {"credentials", ArrayOf(Object({{"id", Str()}, {"username", Str()}}, {"id", "username"}))}}),
                               CommonRequired({"name", "credentials"}));
  s["Credential"] = Object({{"id", Str()}, {"username", Str()}}, {"id", "username"});
  s["CallBlockingRule"] = Object(WithCommon({{"name", NullableStr()},
                                             {"direction", Enum({"INBOUND", "OUTBOUND", "BOTH"})},
                                             {"callerCountry", NullableStr()},
                                             {"calleeCountry", NullableStr()},
                                             {"callerMatch", NullableStr()},
                                             {"calleeMatch", NullableStr()},
                                             {"enabled", Bool()}}),
                                 CommonRequired({"name", "direction", "callerCountry", "calleeCountry", "callerMatch",
                                                 "calleeMatch", "enabled"}));
  s["CountryPermission"] = Object({{"isoCode", {{"type", "string"}, {"pattern", "^[A-Z]{2}$"}}},
                                   {"name", Str()},
                                   {"continent", Str()},
                                   {"countryDialingCodes", ArrayOf(Str())},
                                   {"enabled", Bool()}},
                                  {"isoCode", "name", "continent", "countryDialingCodes", "enabled"});
  s["PhoneNumber"] = Object(WithCommon({{"sipTrunkId", NullableStr()},
                                        {"phoneNumber", {{"type", "string"}, {"pattern", "^\\+[0-9]{8,15}$"}}},
                                        {"countryCode", NullableStr()}},
                                       false),
                            CommonRequired({"sipTrunkId", "phoneNumber", "countryCode"}, false));
  const Json money = {{"anyOf", {Object({{"currencyCode", Str()}, {"amount", Str()}}, {"currencyCode", "amount"}),
                                 {{"type", "null"}}}}};
  s["Call"] = Object({{"callId", Str()},
                      {"to", Str()},
                      {"from", Str()},
                      {"direction", Enum({"INBOUND", "OUTBOUND", ""})},
                      {"answerTime", Time()},
                      {"endTime", Time()},
                      {"durationSeconds", Int()},
                      {"callResult", {{"type", {"string", "null"}},
                                      {"enum", {"COMPLETED", "NO_ANSWER", "CANCEL", "BUSY", "FAILED", nullptr}}}},
                      {"pricePerMinute", money},
                      {"billingDurationSeconds", Int()},
                      {"price", money},
                      {"createTime", {{"type", "string"}, {"format", "date-time"}}},
                      {"projectId", Str()},
                      {"trunkId", NullableStr()}},
                     {"callId", "to", "from", "direction", "answerTime", "endTime", "durationSeconds", "callResult",
                      "pricePerMinute", "billingDurationSeconds", "price", "createTime", "projectId", "trunkId"});
  s["TrunkList"] = Envelope("trunks", Ref("Trunk"));
  s["EndpointList"] = Envelope("endpoints", Ref("Endpoint"));
  s["AccessControlListList"] = Envelope("accessControlLists", Ref("AccessControlList"));
  s["IpRangeList"] = Envelope("ipRanges", Ref("IpRange"));
  s["CredentialListList"] = Envelope("credentialLists", Ref("CredentialList"));
  s["CallBlockingRuleList"] = Envelope("callBlockingRules", Ref("CallBlockingRule"));
  s["AddProjects"] = Object({{"projectIds", ArrayOf(Str())}}, {});
  s["AddedProjects"] = Object({{"addedProjects", ArrayOf(Str())}}, {"addedProjects"});
  s["CountryPermissionList"] = Object({{"countryPermissions", ArrayOf(Ref("CountryPermission"))}}, {"countryPermissions"});
  s["PhoneNumberList"] = Envelope("phoneNumbers", Ref("PhoneNumber"));
  s["CallList"] = Envelope("calls", Ref("Call"));
  s["AclIdPage"] = Envelope("accessControlListIds", Str());
  s["CredentialListIdPage"] = Envelope("credentialListIds", Str());
  // The trunk's credential lists: the ids, and the lists themselves (what the Sinch SDK reads).
  s["CredentialListIdPage"]["properties"]["credentialLists"] = ArrayOf(Ref("CredentialList"));
  s["CredentialListIdPage"]["required"].push_back("credentialLists");
  s["AclIds"] = Object({{"accessControlListIds", ArrayOf(Str())}}, {"accessControlListIds"});
  s["CredentialListIds"] = Object({{"credentialListIds", ArrayOf(Str())}}, {"credentialListIds"});
  s["EnabledCountries"] = Object({{"countryPermissions", ArrayOf(Ref("CountryPermission"))}}, {"countryPermissions"});
  return s;
}

// The {names} of a path template, in order.
std::vector<std::string> ParamsOf(const std::string& path) {
  std::vector<std::string> out;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    out.push_back(path.substr(open + 1, path.find('}', open) - open - 1));
  }
  return out;
}

}  // namespace

void DescribeEstRoutes(RouteDocument& document) {
  Json& paths = document.paths;
  const Json error = {{"description", "error"}, {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
  for (const EstRouteInfo& r : EstRoutes()) {
    const std::string path = "/projects/{projectId}" + r.path;
    const std::string method = Lower(r.method);
    Json parameters = Json::array();
    for (const std::string& name : ParamsOf(path)) {
      parameters.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", Str()}});
    }
    if (method == "get" && r.operation_id != "listCountryPermissions" && r.response.size() > 4 &&
        (r.response.rfind("List") == r.response.size() - 4 || r.response.rfind("Page") == r.response.size() - 4)) {
      parameters.push_back({{"name", "page"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}}}});
      parameters.push_back({{"name", "pageSize"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}}});
      parameters.push_back({{"name", "size"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}},
                            {"description", "as pageSize (the name the Sinch SDKs send)"}});
    }
    const auto query = [&](const char* name, const char* description) {
      parameters.push_back({{"name", name}, {"in", "query"}, {"schema", Str()}, {"description", description}});
    };
    if (r.operation_id == "listTrunks") query("domain", "the trunk whose domain this is");
    if (r.operation_id == "listPhoneNumbers") {
      query("filter", "digits the number contains");
      query("sipTrunkId", "numbers of this trunk");
      parameters.push_back({{"name", "sort"}, {"in", "query"}, {"schema", ArrayOf(Str())}, {"style", "form"}, {"explode", true},
                            {"description", "property,(ascending|descending); property one of id, phoneNumber, "
                                            "countryCode, sipTrunkId, createTime, updateTime"}});
    }
    if (r.operation_id == "findCalls" || r.operation_id == "exportCalls") {
      for (const char* name : {"from", "to", "trunkId", "callResult", "direction", "fromCountryCode", "toCountryCode",
                               "createTime", "createTimeStart", "createTimeEnd", "emergencyOnly"}) {
        parameters.push_back({{"name", name}, {"in", "query"}, {"schema", Str()}});
      }
      if (r.operation_id == "exportCalls") query("fileName", "the name of the file (Content-Disposition), default calls.csv");
    }
    Json responses = Json::object();
    Json success = {{"description", "success"}};
    if (r.response == "CallCsv") {
      success["content"] = {{"text/csv", {{"schema", Str()}}}};
    } else if (!r.response.empty()) {
      success["content"] = {{"application/json", {{"schema", Ref(r.response)}}}};
    }
    responses[std::to_string(r.success)] = success;
    for (int status : {400, 401, 403, 404, 409, 415, 503}) responses[std::to_string(status)] = error;
    Json operation = {{"operationId", r.operation_id}, {"parameters", parameters}, {"responses", responses}};
    if (!r.request.empty()) {
      const Json schema = r.request == "any" ? Json{{"type", {"object", "array"}}} : Ref(r.request);
      operation["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", schema}}}}}};
    }
    paths[path][method] = std::move(operation);
  }
  Json schemas = Schemas();
  for (auto& [name, schema] : schemas.items()) document.schemas[name] = std::move(schema);
}

nlohmann::json EstBaseDocument() {
  Json paths = Json::object();
  paths["/est/v1/openapi.json"]["get"] = {
      {"operationId", "estOpenApi"},
      {"security", Json::array()},
      {"responses", {{"200", {{"description", "this document"},
                              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};
  return Json{{"openapi", "3.1.0"},
              {"info", {{"title", "dialtone Elastic SIP Trunking API (Sinch EST compatible)"},
                        {"version", "1"},
                        {"description", "Trunks, endpoints, access control lists, credential lists, call blocking, "
                                        "country permissions, phone numbers and call records of a project (a dialtone "
                                        "account), over the same model as /v1."}}},
              {"servers", Json::array({{{"url", "/"}}})},
              {"security", Json::array({{{"Basic", Json::array()}}, {{"Bearer", Json::array()}}})},
              {"paths", paths},
              {"components", {{"schemas", Json::object()},
                              {"securitySchemes", {{"Basic", {{"type", "http"}, {"scheme", "basic"}}},
                                                   {"Bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace dialtone::gateway::est
