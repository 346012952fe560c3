#pragma once

#include <string>

namespace dialtone::events {

// A random (version 4) UUID in canonical 8-4-4-4-12 lowercase hex form.
std::string NewUuid();

}  // namespace dialtone::events
