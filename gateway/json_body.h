// JSON helpers every dialect uses on request and response bodies and on documents.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway/http_types.h"

namespace dialtone::gateway {

// True for application/json and any application/<x>+json, parameters ignored.
bool IsJsonMediaType(std::string_view content_type);

// Compact JSON text; invalid UTF-8 in strings is replaced, never thrown on.
std::string DumpJson(const nlohmann::json& value);
// A response with `content-type: application/json` and `body` as compact JSON.
Response JsonResponse(int status, const nlohmann::json& body);

// A document's field: the string ("" when absent or not a string); the integer (0 when
// absent or not an integer; a boolean as 0/1); the flag (a boolean, or a non-zero integer).
std::string DocString(const nlohmann::json& doc, std::string_view field);
int64_t DocInt(const nlohmann::json& doc, std::string_view field);
bool DocFlag(const nlohmann::json& doc, std::string_view field);

// A JSON value as one CSV field (RFC 4180): null is empty, a string its text, anything else
// its JSON text; quoted (quotes doubled) when it holds a comma, a quote or a line break.
std::string CsvField(const nlohmann::json& value);

}  // namespace dialtone::gateway
