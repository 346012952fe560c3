#include "domain/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace dialtone::domain {
namespace {

constexpr int kTagBytes = 16;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

}  // namespace

std::string SecretAad(std::string_view account_id, std::string_view ref) {
  std::string aad = "dialtone-secret:";
  aad.append(account_id);
  aad.push_back(':');
  aad.append(ref);
  return aad;
}

Result<SealedSecret> SealSecret(std::string_view key, std::string_view plaintext,
                                std::string_view aad) {
  if (key.size() != kSecretKeyBytes) {
    return Status::InvalidArgument("the secret key must be 32 bytes, not " +
                                   std::to_string(key.size()));
  }
  SealedSecret sealed;
  sealed.nonce.resize(kSecretNonceBytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(sealed.nonce.data()),
                 static_cast<int>(kSecretNonceBytes)) != 1) {
    return Status::Internal("the random source failed");
  }
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("cannot allocate a cipher context");
  int len = 0;
  sealed.ciphertext.resize(plaintext.size() + kTagBytes);
  auto* out = reinterpret_cast<unsigned char*>(sealed.ciphertext.data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSecretNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(sealed.nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  int total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out + total, &len) != 1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + total) != 1) {
    return Status::Internal("AES-256-GCM tag extraction failed");
  }
  sealed.ciphertext.resize(static_cast<size_t>(total) + kTagBytes);
  return sealed;
}

Result<std::string> OpenSecret(std::string_view key, const SealedSecret& sealed,
                               std::string_view aad) {
  if (key.size() != kSecretKeyBytes) {
    return Status::InvalidArgument("the secret key must be 32 bytes, not " +
                                   std::to_string(key.size()));
  }
  if (sealed.nonce.size() != kSecretNonceBytes) {
    return Status::InvalidArgument("a sealed secret's nonce must be 12 bytes");
  }
  if (sealed.ciphertext.size() < static_cast<size_t>(kTagBytes)) {
    return Status::Corruption("a sealed secret is shorter than its tag");
  }
  const size_t body = sealed.ciphertext.size() - kTagBytes;
  std::string tag = sealed.ciphertext.substr(body);
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("cannot allocate a cipher context");
  std::string plaintext(body, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSecretNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(sealed.nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(sealed.ciphertext),
                        static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return Status::Internal("AES-256-GCM decryption failed");
  }
  int total = len;
  if (EVP_DecryptFinal_ex(ctx.get(), out + total, &len) != 1) {
    return Status::Corruption("a sealed secret does not verify (wrong key or altered bytes)");
  }
  total += len;
  plaintext.resize(static_cast<size_t>(total));
  return plaintext;
}

Result<std::string> GenerateSecretKey() {
  std::string key(kSecretKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()),
                 static_cast<int>(kSecretKeyBytes)) != 1) {
    return Status::Internal("the random source failed");
  }
  return key;
}

Result<std::string> LoadOrCreateSecretKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    std::string key(kSecretKeyBytes + 1, '\0');
    size_t got = 0;
    for (;;) {
      ssize_t n = ::read(fd, key.data() + got, key.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status s = Status::IOError(Errno("cannot read", path));
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      got += static_cast<size_t>(n);
      if (got == key.size()) break;
    }
    ::close(fd);
    if (got != kSecretKeyBytes) {
      return Status::Corruption("the secret key file '" + path + "' does not hold exactly 32 bytes");
    }
    key.resize(kSecretKeyBytes);
    return key;
  }
  if (errno != ENOENT) return Status::IOError(Errno("cannot open", path));

  Result<std::string> key = GenerateSecretKey();
  if (!key.ok()) return key;
  // Written under a temporary name and renamed, so a crash never leaves a short key file.
  const std::string temp = path + ".tmp";
  fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(Errno("cannot create", temp));
  size_t written = 0;
  while (written < key->size()) {
    ssize_t n = ::write(fd, key->data() + written, key->size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::IOError(Errno("cannot write", temp));
      ::close(fd);
      ::unlink(temp.c_str());
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Status::IOError(Errno("cannot sync", temp));
    ::close(fd);
    ::unlink(temp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status s = Status::IOError(Errno("cannot rename to", path));
    ::unlink(temp.c_str());
    return s;
  }
  return key;
}

}  // namespace dialtone::domain
