// Call blocking (the trunking dialect's call blocking rules, kind `call_blocking_rule`):
// whether a call is refused, decided from the account's rules alone. Pure; the SIP edge
// calls it when it routes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dialtone::model {

struct CallFacts {
  enum class Direction { kInbound, kOutbound };
  Direction direction = Direction::kInbound;
  std::string caller;          // the caller's number (E.164 digits; a leading '+' is ignored)
  std::string callee;          // the callee's number
  std::string caller_country;  // ISO 3166-1 alpha-2 of the caller's number ("" unknown)
  std::string callee_country;
};

// The first rule of `rules` (stored call_blocking_rule documents, in the order given) that
// blocks `call`: enabled, of the call's direction (or "both"), and every criterion it
// names holds: caller_country / callee_country equal the numbers' countries, caller_match /
// callee_match are prefixes of the numbers' digits. A rule that names no criterion blocks
// every call of its direction. nullptr when no rule blocks.
const nlohmann::json* BlockingRule(const std::vector<nlohmann::json>& rules, const CallFacts& call);

}  // namespace dialtone::model
