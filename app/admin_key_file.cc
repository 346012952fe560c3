#include "app/admin_key_file.h"

#include "commands/api_keys.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dialtone::app {

namespace {

std::string Errno() { return std::strerror(errno); }

// Writes `content` to `path` through a temporary file (mode 0600), fsynced and renamed
// into place, so a crash never leaves a half-written hash.
Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + Errno());
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = Errno();
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp + ": " + why);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = Errno();
    ::unlink(tmp.c_str());
    return Status::IOError("cannot flush " + tmp + ": " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = Errno();
    ::unlink(tmp.c_str());
    return Status::IOError("cannot rename " + tmp + " to " + path + ": " + why);
  }
  return Status::Ok();
}

}  // namespace

Result<AdminKeySetup> LoadOrCreateAdminKey(const std::string& data_dir,
                                           const std::optional<std::string>& env_secret) {
  AdminKeySetup setup;
  if (env_secret.has_value()) {
    if (env_secret->empty()) return Status::InvalidArgument("DIALTONE_ADMIN_KEY is set but empty");
    if (commands::ParseApiKey(*env_secret)) {
      return Status::InvalidArgument("DIALTONE_ADMIN_KEY has the shape of an account key (dtk_…); choose another");
    }
    setup.key = gateway::AdminKey::FromSecret(*env_secret);
    return setup;
  }

  setup.hash_file = (std::filesystem::path(data_dir) / kAdminKeyFileName).string();
  std::error_code ec;
  if (std::filesystem::exists(setup.hash_file, ec)) {
    std::ifstream in(setup.hash_file);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) return Status::IOError("cannot read admin key file " + setup.hash_file);
    std::string hex = content.str();
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
    auto key = gateway::AdminKey::FromHashHex(hex);
    if (!key.ok()) {
      return Status::Corruption("admin key file " + setup.hash_file + " is damaged (" +
                                key.status().message() + ")");
    }
    setup.key = *key;
    return setup;
  }
  if (ec) return Status::IOError("cannot inspect " + setup.hash_file + ": " + ec.message());

  auto secret = gateway::GenerateAdminSecret();
  if (!secret.ok()) return secret.status();
  setup.key = gateway::AdminKey::FromSecret(*secret);
  if (Status s = WriteFileAtomically(setup.hash_file, setup.key.HashHex() + "\n"); !s.ok()) return s;
  setup.new_secret = std::move(*secret);
  return setup;
}

void DiscardNewAdminKey(const AdminKeySetup& setup) {
  if (setup.new_secret.has_value() && !setup.hash_file.empty()) ::unlink(setup.hash_file.c_str());
}

}  // namespace dialtone::app
