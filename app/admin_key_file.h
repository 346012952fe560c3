// The admin key of a data folder: taken from DIALTONE_ADMIN_KEY when set, otherwise
// created on first start and kept only as its SHA-256 in <data>/admin-key.sha256 (0600).
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "gateway/admin_auth.h"

namespace dialtone::app {

inline constexpr const char* kAdminKeyFileName = "admin-key.sha256";

struct AdminKeySetup {
  gateway::AdminKey key;
  // The secret of a key created by this call: shown to the operator once, never stored.
  std::optional<std::string> new_secret;
  std::string hash_file;  // path of the hash file (empty when the key came from the env)
};

// `env_secret` is DIALTONE_ADMIN_KEY (nullopt when unset). Errors: kInvalidArgument (the
// variable is set but empty), kCorruption (the hash file is not 64 hex digits), kIOError
// (the hash file cannot be read or written).
Result<AdminKeySetup> LoadOrCreateAdminKey(const std::string& data_dir,
                                           const std::optional<std::string>& env_secret);

// Undoes the creation of a key whose secret was never shown (startup failed after it).
void DiscardNewAdminKey(const AdminKeySetup& setup);

}  // namespace dialtone::app
