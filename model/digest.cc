#include "model/digest.h"

#include <openssl/evp.h>

#include <cassert>

namespace dialtone::model {

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  int ok = EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  assert(ok == 1 && length == 16);
  (void)ok;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string DigestHa1(std::string_view username, std::string_view realm, std::string_view password) {
  std::string input;
  input.append(username).append(":").append(realm).append(":").append(password);
  return Md5Hex(input);
}

std::string DigestHa1b(std::string_view username, std::string_view realm, std::string_view password) {
  std::string input;
  input.append(username).append("@").append(realm).append(":").append(realm).append(":").append(password);
  return Md5Hex(input);
}

}  // namespace dialtone::model
