#include "model/call_blocking.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace dialtone::model {

namespace {

std::string_view Digits(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  return number;
}

bool SameCountry(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

// The criterion `field` of `rule`: absent or null names none (true); else whether `holds`.
template <class Holds>
bool Criterion(const nlohmann::json& rule, const char* field, Holds holds) {
  auto it = rule.find(field);
  if (it == rule.end() || it->is_null()) return true;
  return it->is_string() && holds(it->get_ref<const std::string&>());
}

}  // namespace

const nlohmann::json* BlockingRule(const std::vector<nlohmann::json>& rules, const CallFacts& call) {
  const std::string_view caller = Digits(call.caller);
  const std::string_view callee = Digits(call.callee);
  const std::string_view direction = call.direction == CallFacts::Direction::kInbound ? "inbound" : "outbound";
  for (const nlohmann::json& rule : rules) {
    if (!rule.is_object()) continue;
    auto enabled = rule.find("enabled");
    if (enabled != rule.end() && enabled->is_number_integer() && enabled->get<int64_t>() == 0) continue;
    const std::string rule_direction = rule.value("direction", "both");
    if (rule_direction != "both" && rule_direction != direction) continue;
    const bool blocks =
        Criterion(rule, "caller_country", [&](const std::string& c) { return SameCountry(c, call.caller_country); }) &&
        Criterion(rule, "callee_country", [&](const std::string& c) { return SameCountry(c, call.callee_country); }) &&
        Criterion(rule, "caller_match", [&](const std::string& p) { return caller.starts_with(Digits(p)); }) &&
        Criterion(rule, "callee_match", [&](const std::string& p) { return callee.starts_with(Digits(p)); });
    if (blocks) return &rule;
  }
  return nullptr;
}

}  // namespace dialtone::model
