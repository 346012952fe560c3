#include "webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cassert>

namespace dialtone::webhooks {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest HmacSha256(std::string_view secret, std::string_view body) {
  static const unsigned char kEmpty = 0;  // OpenSSL wants a non-null key pointer
  const auto* key = secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
  const auto* data = body.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(body.data());
  Digest digest{};
  unsigned int length = 0;
  const unsigned char* out = HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), data, body.size(),
                                  digest.data(), &length);
  assert(out != nullptr && length == digest.size() && "HMAC-SHA256 must be available");
  (void)out;
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string SignBody(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest digest = HmacSha256(secret, body);
  std::string out(kSignaturePrefix);
  out.reserve(kSignaturePrefix.size() + 2 * digest.size());
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0f]);
  }
  return out;
}

bool VerifySignature(std::string_view secret, std::string_view body, std::string_view signature) {
  if (signature.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) return false;
  const std::string_view hex = signature.substr(kSignaturePrefix.size());
  Digest claimed{};
  if (hex.size() != 2 * claimed.size()) return false;
  for (size_t i = 0; i < claimed.size(); ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    claimed[i] = static_cast<unsigned char>(high << 4 | low);
  }
  const Digest expected = HmacSha256(secret, body);
  return CRYPTO_memcmp(claimed.data(), expected.data(), expected.size()) == 0;
}

}  // namespace dialtone::webhooks
