// Sealing of write-only secret values (resource `*_secret_ref` fields) with the node's
// secret key: AES-256-GCM (OpenSSL EVP), a fresh random 96-bit nonce per value, and the
// account id + reference as additional authenticated data, so a sealed value cannot be
// moved to another account or reference. Plain C++; no CAF.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace dialtone::domain {

inline constexpr size_t kSecretKeyBytes = 32;  // AES-256
inline constexpr size_t kSecretNonceBytes = 12;

struct SealedSecret {
  std::string nonce;       // kSecretNonceBytes raw bytes
  std::string ciphertext;  // the encrypted value followed by the 16-byte GCM tag
};

// `key` must be kSecretKeyBytes raw bytes (kInvalidArgument otherwise); `aad` is
// authenticated, not encrypted. kInternal if the cipher or the random source fails.
Result<SealedSecret> SealSecret(std::string_view key, std::string_view plaintext,
                                std::string_view aad);
// kInvalidArgument for a malformed key or nonce; kCorruption when the tag does not verify
// (wrong key, wrong aad, or altered bytes).
Result<std::string> OpenSecret(std::string_view key, const SealedSecret& sealed,
                               std::string_view aad);

// The additional data a secret of `account_id` stored under `ref` is sealed with.
std::string SecretAad(std::string_view account_id, std::string_view ref);

// kSecretKeyBytes from the system's random source (kInternal if it fails).
Result<std::string> GenerateSecretKey();

// Reads the node key from `path` (exactly kSecretKeyBytes bytes, else kCorruption), or,
// when the file does not exist, creates it with a fresh key, readable by the owner only
// (mode 0600). kIOError when the file cannot be read or written.
Result<std::string> LoadOrCreateSecretKeyFile(const std::string& path);

}  // namespace dialtone::domain
