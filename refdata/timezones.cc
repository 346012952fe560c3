#include "refdata/timezones.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_set>

#include "refdata/data_paths.h"

namespace dialtone::refdata {
namespace {

// Longest names in tzdata are ~30 bytes; anything much longer is not a zone.
constexpr size_t kMaxZoneNameLength = 64;

bool IsZoneNameSyntax(std::string_view name) {
  if (name.empty() || name.size() > kMaxZoneNameLength) return false;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view part =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    // Rejects "", "." and ".." components (and hidden files), hence absolute paths too.
    if (part.empty() || part.front() == '.') return false;
    for (char c : part) {
      bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
      if (!allowed) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// Files under the Debian zoneinfo root that are not zone names.
bool IsNonZoneFile(std::string_view name) {
  return name.starts_with("posix/") || name.starts_with("right/") || name == "posix" ||
         name == "right" || name == "localtime" || name == "posixrules";
}

bool IsTzifFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  char magic[4] = {};
  size_t n = std::fread(magic, 1, sizeof magic, file);
  std::fclose(file);
  return n == sizeof magic && std::string_view(magic, sizeof magic) == "TZif";
}

}  // namespace

bool IsIanaTimeZone(std::string_view name, std::string_view zoneinfo_dir) {
  if (!IsZoneNameSyntax(name) || IsNonZoneFile(name)) return false;
  // Zones found are remembered (at most the tzdata tree's few hundred files): every write
  // carrying a timezone is validated, and a stat + open + read each time is costly.
  static std::shared_mutex mu;
  static std::unordered_set<std::string> found;  // "<dir>\0<name>"
  std::string key;
  key.reserve(zoneinfo_dir.size() + 1 + name.size());
  key.append(zoneinfo_dir).push_back('\0');
  key.append(name);
  {
    std::shared_lock lock(mu);
    if (found.contains(key)) return true;
  }
  if (!IsTzifFile(std::string(zoneinfo_dir) + "/" + std::string(name))) return false;
  std::unique_lock lock(mu);
  found.insert(std::move(key));
  return true;
}

bool IsIanaTimeZone(std::string_view name) {
  static const std::string default_dir = DefaultDataPaths().zoneinfo_dir;
  return IsIanaTimeZone(name, default_dir);
}

}  // namespace dialtone::refdata
