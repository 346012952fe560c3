// The ISO 3166-1 country table with continent and country calling codes, built from the
// installed iso-codes, tzdata and libphonenumber data (see README.md for the rules).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "refdata/data_paths.h"

namespace dialtone::refdata {

struct Country {
  std::string iso_code;   // ISO 3166-1 alpha-2, upper case ("US")
  std::string name;       // English short name from iso-codes (common_name when it has one)
  std::string continent;  // Africa, Antarctica, Asia, Europe, North America, Oceania, South America
  // "+<calling code>", e.g. {"+1"} for US and CA; empty when the territory has no
  // calling code of its own in libphonenumber (e.g. AQ, BV, HM).
  std::vector<std::string> country_dialing_codes;
};

class CountryTable {
 public:
  CountryTable() = default;

  // Reads the files named by `paths`. A missing file is kNotFound, an unreadable one
  // kIOError, malformed content kCorruption; each message names the file.
  static Result<CountryTable> Load(const DataPaths& paths);

  // Every country, sorted by iso_code.
  const std::vector<Country>& all() const { return countries_; }
  size_t size() const { return countries_.size(); }
  // Case-insensitive lookup by alpha-2 code; nullopt for an unknown code.
  std::optional<Country> Find(std::string_view iso_code) const;
  // OK for a loaded table; the load error for the table Countries() returns when the data
  // could not be read (that table is then empty).
  const Status& load_status() const { return load_status_; }

 private:
  std::vector<Country> countries_;
  Status load_status_;
  friend const CountryTable& Countries();
};

// The table for DefaultDataPaths(), loaded on first use (thread-safe) and kept for the
// process lifetime. When loading fails it is empty and load_status() carries the error.
const CountryTable& Countries();

}  // namespace dialtone::refdata
