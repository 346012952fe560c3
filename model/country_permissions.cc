#include "model/country_permissions.h"

#include <utility>

namespace dialtone::model {

CountryPermissions::CountryPermissions(CountrySettings own, const std::vector<CountrySettings>& ancestors)
    : own_(std::move(own)) {
  for (const CountrySettings& ancestor : ancestors) {
    for (const auto& [iso, enabled] : ancestor) inherited_.emplace(iso, enabled);  // the nearest wins
  }
}

bool CountryPermissions::Enabled(std::string_view iso) const {
  if (auto it = own_.find(iso); it != own_.end()) return it->second;
  if (auto it = inherited_.find(iso); it != inherited_.end()) return it->second;
  return true;
}

CountryPermissions::Change CountryPermissions::ChangeFor(std::string_view iso, bool enabled) const {
  if (Enabled(iso) == enabled) return Change::kNone;
  return own_.contains(iso) ? Change::kUpdate : Change::kCreate;
}

}  // namespace dialtone::model
