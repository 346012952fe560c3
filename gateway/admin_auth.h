// The admin credential of the native API. Only the key's SHA-256 is kept (in memory and
// on disk); a presented key is hashed and compared in constant time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway {

class AdminKey {
 public:
  static constexpr size_t kHashBytes = 32;

  // The key whose secret is `secret` (e.g. from DIALTONE_ADMIN_KEY).
  static AdminKey FromSecret(std::string_view secret);
  // The key stored as 64 lowercase or uppercase hex digits of its SHA-256.
  static Result<AdminKey> FromHashHex(std::string_view hex);

  // True when `presented` is the secret. Constant time in the secret's content.
  bool Matches(std::string_view presented) const;
  // 64 lowercase hex digits.
  std::string HashHex() const;

 private:
  std::array<uint8_t, kHashBytes> hash_{};
};

// A new random secret: "dta_" followed by 32 lowercase hex digits (128 bits from the
// OpenSSL CSPRNG). kInternal if the CSPRNG fails.
Result<std::string> GenerateAdminSecret();

// The API key a request presents: `x-api-key: <key>` or `Authorization: Bearer <key>`.
std::optional<std::string_view> PresentedApiKey(const Request& request);

// True when the request presents `key`.
bool IsAuthorizedAdmin(const Request& request, const AdminKey& key);

}  // namespace dialtone::gateway
