#include "model/bindings.h"

#include <algorithm>
#include <set>

namespace dialtone::model {

BindingChange PlanBindingChange(const std::vector<BoundList>& bound, const std::vector<std::string>& wanted,
                                bool replace) {
  BindingChange change;
  std::set<std::string> kept;
  for (const BoundList& b : bound) {
    if (replace && std::find(wanted.begin(), wanted.end(), b.list_id) == wanted.end()) {
      change.unbind.push_back(b.binding_id);
    } else {
      kept.insert(b.list_id);
    }
  }
  for (const std::string& list_id : wanted) {
    if (kept.insert(list_id).second) change.bind.push_back(list_id);
  }
  return change;
}

}  // namespace dialtone::model
