// Lets Boost.Test print dialtone's error codes in failed assertions.
#pragma once

#include <ostream>

#include "common/status.h"

namespace dialtone {
inline std::ostream& boost_test_print_type(std::ostream& os, ErrorCode code) {
  return os << ErrorCodeName(code);
}
}  // namespace dialtone
