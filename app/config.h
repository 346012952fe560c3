// Settings of the `dialtone` commands, resolved from four sources in this order of
// precedence: command-line flag > environment variable > config file > default.
//
// Every setting has one key name used everywhere: `--data DIR` on the command line,
// `DIALTONE_DATA` in the environment, `data = DIR` in the config file. The config file is
// named by `--config FILE` or `DIALTONE_CONFIG`; it holds `key = value` lines, blank lines
// and `#` comments. An unknown key, a malformed line or a bad value is an error that names
// where the value came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/rocksdb_log.h"

namespace dialtone::app {

// Where the raw values come from; injectable so precedence is testable in-process.
struct ConfigSources {
  // Flag values given on the command line, by key (without the leading "--").
  std::map<std::string, std::string> flags;
  // Looks up an environment variable; nullopt when unset.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // Reads a whole file; an error when it cannot be read.
  std::function<Result<std::string>(const std::string& path)> read_file;
};

// The process environment and filesystem.
ConfigSources SystemConfigSources(std::map<std::string, std::string> flags);

// One resolved raw setting and where it came from, e.g. "--http", "DIALTONE_HTTP",
// "config file /etc/dialtone.conf line 3", "default".
struct Setting {
  std::string value;
  std::string origin;
};

struct SettingSpec {
  std::string key;            // e.g. "scheduler-threads"
  std::string default_value;
};

// "scheduler-threads" -> "DIALTONE_SCHEDULER_THREADS".
std::string EnvironmentName(std::string_view key);

// Resolves every key in `specs` (flag > env > config file > default). The config file is
// `flags["config"]`, else DIALTONE_CONFIG, else none. Errors (kInvalidArgument): an
// unreadable config file, a malformed line, an unknown or repeated key in it.
Result<std::map<std::string, Setting>> ResolveSettings(const std::vector<SettingSpec>& specs,
                                                       const ConfigSources& sources);

struct ServeConfig {
  std::string data_dir = "./data";
  std::string http_host = "127.0.0.1";
  uint16_t http_port = 8080;          // 0 = any free port
  store::Durability durability = store::Durability::kSync;
  size_t scheduler_threads = 0;       // 0 = one per hardware thread
  size_t http_threads = 2;
};

inline constexpr size_t kMaxThreads = 256;

// The keys of `dialtone serve`, with their defaults.
const std::vector<SettingSpec>& ServeSettingSpecs();

// Resolves and validates the settings of `dialtone serve`.
Result<ServeConfig> ResolveServeConfig(const ConfigSources& sources);

// Parsers for individual values; errors name `origin`.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text, std::string_view origin);
Result<store::Durability> ParseDurability(std::string_view text, std::string_view origin);
Result<uint64_t> ParseCount(std::string_view text, uint64_t min, uint64_t max, std::string_view origin);

}  // namespace dialtone::app
