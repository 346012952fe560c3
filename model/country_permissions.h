// Country permissions of an account (EST "country permissions", seed 002): "Sub-projects
// can use the same country permissions" as their parent "or specify different ones that
// override" them. A country is allowed by the account's own setting, else by its nearest
// ancestor's, else it is allowed (the seed's default). Pure: the trunking dialect renders
// and changes permissions with it, and the SIP edge decides calls with the same function.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dialtone::model {

// ISO 3166-1 alpha-2 code -> enabled.
using CountrySettings = std::map<std::string, bool, std::less<>>;

class CountryPermissions {
 public:
  // `own`: the account's settings; `ancestors`: each ancestor's, nearest first.
  CountryPermissions(CountrySettings own, const std::vector<CountrySettings>& ancestors);

  // Whether calls to/from `iso` are allowed for the account.
  bool Enabled(std::string_view iso) const;

  // What making `iso` `enabled` takes: nothing when it already is (by the account's own
  // setting or by inheritance: an account stores only where it differs from what it
  // inherits), else a new own setting, or a change of the one it has.
  enum class Change { kNone, kCreate, kUpdate };
  Change ChangeFor(std::string_view iso, bool enabled) const;

 private:
  CountrySettings own_;
  CountrySettings inherited_;
};

}  // namespace dialtone::model
