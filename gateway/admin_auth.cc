#include "gateway/admin_auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace dialtone::gateway {

namespace {
constexpr char kHex[] = "0123456789abcdef";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

AdminKey AdminKey::FromSecret(std::string_view secret) {
  AdminKey key;
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), key.hash_.data());
  return key;
}

Result<AdminKey> AdminKey::FromHashHex(std::string_view hex) {
  if (hex.size() != 2 * kHashBytes) {
    return Status::Corruption("admin key hash must be 64 hex digits, found " +
                              std::to_string(hex.size()) + " characters");
  }
  AdminKey key;
  for (size_t i = 0; i < kHashBytes; ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("admin key hash contains a non-hex character");
    key.hash_[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return key;
}

bool AdminKey::Matches(std::string_view presented) const {
  const AdminKey candidate = FromSecret(presented);
  return CRYPTO_memcmp(candidate.hash_.data(), hash_.data(), kHashBytes) == 0;
}

std::string AdminKey::HashHex() const {
  std::string out;
  out.reserve(2 * kHashBytes);
  for (uint8_t b : hash_) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

Result<std::string> GenerateAdminSecret() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Status::Internal("the OpenSSL random generator failed");
  }
  std::string secret = "dta_";
  for (unsigned char b : bytes) {
    secret.push_back(kHex[b >> 4]);
    secret.push_back(kHex[b & 0xf]);
  }
  return secret;
}

std::optional<std::string_view> PresentedApiKey(const Request& request) {
  if (auto key = request.headers.Get("x-api-key")) {
    const std::string_view trimmed = Trim(*key);
    if (!trimmed.empty()) return trimmed;
  }
  if (auto auth = request.headers.Get("authorization")) {
    std::string_view value = Trim(*auth);
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() > kScheme.size() && EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
      const std::string_view token = Trim(value.substr(kScheme.size()));
      if (!token.empty()) return token;
    }
  }
  return std::nullopt;
}

bool IsAuthorizedAdmin(const Request& request, const AdminKey& key) {
  const auto presented = PresentedApiKey(request);
  return presented.has_value() && key.Matches(*presented);
}

}  // namespace dialtone::gateway
