#include "refdata/countries.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

namespace dialtone::refdata {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("reference data file missing: " + path);
    return Status::IOError("cannot open reference data file " + path + ": " +
                           std::strerror(err == 0 ? EIO : err));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read reference data file " + path);
  return content.str();
}

bool IsAlpha2(std::string_view code) {
  return code.size() == 2 && std::isupper(static_cast<unsigned char>(code[0])) &&
         std::isupper(static_cast<unsigned char>(code[1]));
}

// A zone.tab row reduced to what the continent rule needs.
struct CountryZone {
  std::string zone;  // e.g. "America/New_York"
  double latitude = 0;   // degrees, + north
  double longitude = 0;  // degrees, + east
};

// One ISO 6709 component: sign, `degree_digits` digits of degrees, then MM or MMSS.
std::optional<double> ParseIso6709Component(std::string_view text, size_t degree_digits) {
  if (text.size() != degree_digits + 3 && text.size() != degree_digits + 5) return std::nullopt;
  if (text[0] != '+' && text[0] != '-') return std::nullopt;
  for (size_t i = 1; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  auto number = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  double degrees = number(1, degree_digits);
  double minutes = number(1 + degree_digits, 2);
  double seconds = text.size() == degree_digits + 5 ? number(3 + degree_digits, 2) : 0;
  double value = degrees + minutes / 60.0 + seconds / 3600.0;
  return text[0] == '-' ? -value : value;
}

// "±DDMM±DDDMM" or "±DDMMSS±DDDMMSS".
std::optional<std::pair<double, double>> ParseIso6709(std::string_view text) {
  size_t split = text.find_first_of("+-", 1);
  if (split == std::string_view::npos) return std::nullopt;
  auto lat = ParseIso6709Component(text.substr(0, split), 2);
  auto lon = ParseIso6709Component(text.substr(split), 3);
  if (!lat || !lon) return std::nullopt;
  return std::make_pair(*lat, *lon);
}

// zone.tab: one row per (country, zone), the country's principal zone first. Returns the
// first row of each country.
Result<std::map<std::string, CountryZone>> LoadZoneTab(const std::string& zoneinfo_dir) {
  std::string path = zoneinfo_dir + "/zone.tab";
  auto content = ReadWholeFile(path);
  if (!content.ok()) return content.status();
  std::map<std::string, CountryZone> first_zone;
  std::istringstream lines(*content);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    auto coordinates = fields.size() >= 3 ? ParseIso6709(fields[1]) : std::nullopt;
    if (fields.size() < 3 || !IsAlpha2(fields[0]) || !coordinates || fields[2].empty()) {
      return Status::Corruption(path + ":" + std::to_string(line_number) +
                                ": expected <CC> TAB <ISO 6709 coordinates> TAB <zone>");
    }
    first_zone.try_emplace(fields[0], CountryZone{fields[2], coordinates->first, coordinates->second});
  }
  return first_zone;
}

// The continent rule (README.md, "Continent"): the area of the country's principal zone,
// with the Americas and the ocean areas split by the zone's principal location.
std::string ContinentOfZone(const CountryZone& z) {
  std::string_view zone = z.zone;
  std::string_view area = zone.substr(0, zone.find('/'));
  if (area == "Europe" || area == "Arctic") return "Europe";
  if (area == "Africa") return "Africa";
  if (area == "Asia") return "Asia";
  if (area == "Antarctica") return "Antarctica";
  if (area == "Australia" || area == "Pacific") return "Oceania";
  if (area == "America") {
    // South of 7°N, or south of 12°N and east of the Colombia–Panama border (77.2°W).
    bool south = z.latitude < 7.0 || (z.latitude < 12.0 && z.longitude > -77.2);
    return south ? "South America" : "North America";
  }
  if (area == "Atlantic") {
    if (z.latitude >= 45.0) return "Europe";
    if (z.longitude < -30.0) return z.latitude >= 0 ? "North America" : "South America";
    return "Africa";
  }
  if (area == "Indian") {
    if (z.latitude <= -45.0) return "Antarctica";
    return z.longitude < 65.0 ? "Africa" : "Asia";
  }
  return "";
}

// Territories with no zone.tab row are uninhabited (BV Bouvet Island and HM Heard and
// McDonald Islands in current data, both sub-Antarctic).
constexpr const char* kContinentWithoutZone = "Antarctica";

std::vector<std::string> DialingCodesOf(const std::string& iso_code,
                                        const std::set<std::string>& supported_regions) {
  if (!supported_regions.contains(iso_code)) return {};
  int code = i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(iso_code);
  if (code <= 0) return {};
  return {"+" + std::to_string(code)};
}

}  // namespace

Result<CountryTable> CountryTable::Load(const DataPaths& paths) {
  auto content = ReadWholeFile(paths.iso3166_json);
  if (!content.ok()) return content.status();
  nlohmann::json doc = nlohmann::json::parse(*content, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corruption(paths.iso3166_json + ": not valid JSON");
  auto list = doc.find("3166-1");
  if (!doc.is_object() || list == doc.end() || !list->is_array()) {
    return Status::Corruption(paths.iso3166_json + ": no \"3166-1\" array");
  }

  auto zones = LoadZoneTab(paths.zoneinfo_dir);
  if (!zones.ok()) return zones.status();

  std::set<std::string> supported_regions;
  i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetSupportedRegions(&supported_regions);

  CountryTable table;
  for (const auto& entry : *list) {
    auto text_field = [&](const char* key) -> std::string {
      auto it = entry.is_object() ? entry.find(key) : entry.end();
      return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string code = text_field("alpha_2");
    std::string name = text_field("common_name");
    if (name.empty()) name = text_field("name");
    if (!IsAlpha2(code) || name.empty()) {
      return Status::Corruption(paths.iso3166_json + ": an entry lacks alpha_2 or name: " +
                                entry.dump());
    }
    Country country;
    country.iso_code = code;
    country.name = std::move(name);
    auto zone = zones->find(code);
    country.continent = zone == zones->end() ? kContinentWithoutZone : ContinentOfZone(zone->second);
    if (country.continent.empty()) {
      return Status::Corruption(paths.zoneinfo_dir + "/zone.tab: zone " + zone->second.zone +
                                " of " + code + " is in an unknown area");
    }
    country.country_dialing_codes = DialingCodesOf(code, supported_regions);
    table.countries_.push_back(std::move(country));
  }
  std::sort(table.countries_.begin(), table.countries_.end(),
            [](const Country& a, const Country& b) { return a.iso_code < b.iso_code; });
  auto duplicate = std::adjacent_find(
      table.countries_.begin(), table.countries_.end(),
      [](const Country& a, const Country& b) { return a.iso_code == b.iso_code; });
  if (duplicate != table.countries_.end()) {
    return Status::Corruption(paths.iso3166_json + ": duplicate alpha_2 " + duplicate->iso_code);
  }
  return table;
}

std::optional<Country> CountryTable::Find(std::string_view iso_code) const {
  if (iso_code.size() != 2) return std::nullopt;
  std::string upper(iso_code);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = std::lower_bound(countries_.begin(), countries_.end(), upper,
                             [](const Country& c, const std::string& code) { return c.iso_code < code; });
  if (it == countries_.end() || it->iso_code != upper) return std::nullopt;
  return *it;
}

const CountryTable& Countries() {
  static const CountryTable table = [] {
    auto loaded = CountryTable::Load(DefaultDataPaths());
    if (loaded.ok()) return std::move(loaded).value();
    CountryTable failed;
    failed.load_status_ = loaded.status();
    return failed;
  }();
  return table;
}

}  // namespace dialtone::refdata
