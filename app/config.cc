#include "app/config.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace dialtone::app {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The settings of a config file, each with its line as origin.
Result<std::map<std::string, Setting>> ParseConfigFile(const std::string& path, std::string_view text,
                                                       const std::set<std::string>& known) {
  std::map<std::string, Setting> out;
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const size_t line_number = i + 1;
    const std::string where = "config file " + path + " line " + std::to_string(line_number);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(where + ": expected 'key = value', got '" + std::string(line) + "'");
    }
    const std::string key(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!known.contains(key)) {
      std::string keys;
      for (const auto& k : known) keys.append(keys.empty() ? "" : ", ").append(k);
      return Status::InvalidArgument(where + ": unknown key '" + key + "' (known: " + keys + ")");
    }
    if (out.contains(key)) {
      return Status::InvalidArgument(where + ": key '" + key + "' is set twice (first at " +
                                     out[key].origin + ")");
    }
    out[key] = Setting{std::string(value), where};
  }
  return out;
}

}  // namespace

ConfigSources SystemConfigSources(std::map<std::string, std::string> flags) {
  ConfigSources sources;
  sources.flags = std::move(flags);
  sources.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  sources.read_file = [](const std::string& path) -> Result<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError("cannot read config file " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) return Status::IOError("cannot read config file " + path);
    return buffer.str();
  };
  return sources;
}

std::string EnvironmentName(std::string_view key) {
  std::string name = "DIALTONE_";
  for (char c : key) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

Result<std::map<std::string, Setting>> ResolveSettings(const std::vector<SettingSpec>& specs,
                                                       const ConfigSources& sources) {
  std::map<std::string, Setting> file_values;
  std::optional<Setting> config_path;
  if (auto it = sources.flags.find("config"); it != sources.flags.end()) {
    config_path = Setting{it->second, "--config"};
  } else if (sources.getenv) {
    if (auto env = sources.getenv(EnvironmentName("config"))) {
      config_path = Setting{*env, EnvironmentName("config")};
    }
  }
  if (config_path) {
    if (config_path->value.empty()) {
      return Status::InvalidArgument("invalid " + config_path->origin + ": the config file path is empty");
    }
    auto text = sources.read_file(config_path->value);
    if (!text.ok()) {
      return Status::InvalidArgument("cannot read config file '" + config_path->value + "' (from " +
                                     config_path->origin + ")");
    }
    std::set<std::string> known;
    for (const auto& spec : specs) known.insert(spec.key);
    auto parsed = ParseConfigFile(config_path->value, *text, known);
    if (!parsed.ok()) return parsed.status();
    file_values = std::move(*parsed);
  }

  std::map<std::string, Setting> out;
  for (const auto& spec : specs) {
    if (auto it = sources.flags.find(spec.key); it != sources.flags.end()) {
      out[spec.key] = Setting{it->second, "--" + spec.key};
      continue;
    }
    const std::string env_name = EnvironmentName(spec.key);
    if (sources.getenv) {
      if (auto env = sources.getenv(env_name)) {
        out[spec.key] = Setting{*env, env_name};
        continue;
      }
    }
    if (auto it = file_values.find(spec.key); it != file_values.end()) {
      out[spec.key] = it->second;
      continue;
    }
    out[spec.key] = Setting{spec.default_value, "default"};
  }
  return out;
}

const std::vector<SettingSpec>& ServeSettingSpecs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"data", "./data"},
      {"http", "127.0.0.1:8080"},
      {"durability", "sync"},
      {"scheduler-threads", "0"},
      {"http-threads", "2"},
  };
  return kSpecs;
}

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text, std::string_view origin) {
  const auto fail = [&](std::string_view why) -> Status {
    return Status::InvalidArgument("invalid " + std::string(origin) + " '" + std::string(text) +
                                   "': " + std::string(why));
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail("expected HOST:PORT, e.g. 127.0.0.1:8080");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return fail("the host is empty");
  if (host.find_first_of(" \t/") != std::string_view::npos) return fail("the host is malformed");
  auto port = ParseCount(port_text, 0, 65535, "port");
  if (!port.ok()) return fail("the port must be an integer from 0 to 65535");
  return std::pair<std::string, uint16_t>(std::string(host), static_cast<uint16_t>(*port));
}

Result<store::Durability> ParseDurability(std::string_view text, std::string_view origin) {
  if (text == "sync") return store::Durability::kSync;
  if (text == "async") return store::Durability::kAsync;
  return Status::InvalidArgument("invalid " + std::string(origin) + " '" + std::string(text) +
                                 "': expected sync or async");
}

Result<uint64_t> ParseCount(std::string_view text, uint64_t min, uint64_t max, std::string_view origin) {
  uint64_t value = 0;
  const bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!digits_only || ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument("invalid " + std::string(origin) + " '" + std::string(text) +
                                   "': expected an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  return value;
}

Result<ServeConfig> ResolveServeConfig(const ConfigSources& sources) {
  auto settings = ResolveSettings(ServeSettingSpecs(), sources);
  if (!settings.ok()) return settings.status();
  const auto& s = *settings;
  ServeConfig config;

  const Setting& data = s.at("data");
  if (data.value.empty()) return Status::InvalidArgument("invalid " + data.origin + ": the data folder path is empty");
  config.data_dir = data.value;

  const Setting& http = s.at("http");
  auto host_port = ParseHostPort(http.value, http.origin);
  if (!host_port.ok()) return host_port.status();
  config.http_host = host_port->first;
  config.http_port = host_port->second;

  const Setting& durability = s.at("durability");
  auto mode = ParseDurability(durability.value, durability.origin);
  if (!mode.ok()) return mode.status();
  config.durability = *mode;

  const Setting& scheduler = s.at("scheduler-threads");
  auto scheduler_threads = ParseCount(scheduler.value, 0, kMaxThreads, scheduler.origin);
  if (!scheduler_threads.ok()) return scheduler_threads.status();
  config.scheduler_threads = static_cast<size_t>(*scheduler_threads);

  const Setting& http_threads_setting = s.at("http-threads");
  auto http_threads = ParseCount(http_threads_setting.value, 1, kMaxThreads, http_threads_setting.origin);
  if (!http_threads.ok()) return http_threads.status();
  config.http_threads = static_cast<size_t>(*http_threads);
  return config;
}

}  // namespace dialtone::app
