#include "gateway/json_body.h"

#include <algorithm>
#include <cctype>

namespace dialtone::gateway {

bool IsJsonMediaType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type == "application/json") return true;
  return type.rfind("application/", 0) == 0 && type.size() > 5 &&
         type.compare(type.size() - 5, 5, "+json") == 0;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response JsonResponse(int status, const nlohmann::json& body) { return Response::Json(status, DumpJson(body)); }

std::string DocString(const nlohmann::json& doc, std::string_view field) {
  auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t DocInt(const nlohmann::json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end()) return 0;
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  return it->is_number_integer() ? it->get<int64_t>() : 0;
}

bool DocFlag(const nlohmann::json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_number_integer() && it->get<int64_t>() != 0;
}

std::string CsvField(const nlohmann::json& value) {
  if (value.is_null()) return "";
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

}  // namespace dialtone::gateway
