// The set of lists a trunk is bound to (access control lists, credential lists): what
// adding to it or replacing it changes. Pure; the dialects and the edge share it.
#pragma once

#include <string>
#include <vector>

namespace dialtone::model {

// One binding as stored: its own id and the list it binds.
struct BoundList {
  std::string binding_id;
  std::string list_id;
};

struct BindingChange {
  std::vector<std::string> unbind;  // binding ids to delete, in the order of `bound`
  std::vector<std::string> bind;    // list ids to bind, in the order of `wanted`
};

// `replace`: the bound set becomes exactly `wanted`; otherwise `wanted` is added to it. A
// list already bound stays bound by its binding (never bound twice); a list named twice
// in `wanted` is bound once.
BindingChange PlanBindingChange(const std::vector<BoundList>& bound, const std::vector<std::string>& wanted,
                                bool replace);

}  // namespace dialtone::model
