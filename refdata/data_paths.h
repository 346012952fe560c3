// Where the installed reference data lives. Defaults are the Debian locations; each can be
// overridden by an environment variable (read on every call to DefaultDataPaths()).
#pragma once

#include <string>

namespace dialtone::refdata {

struct DataPaths {
  // iso-codes: ISO 3166-1 table as JSON ({"3166-1": [{alpha_2, name, common_name?, …}]}).
  // Override: DIALTONE_ISO3166_JSON.
  std::string iso3166_json = "/usr/share/iso-codes/json/iso_3166-1.json";
  // tzdata: the zoneinfo root holding TZif files and zone.tab. Override: DIALTONE_ZONEINFO.
  std::string zoneinfo_dir = "/usr/share/zoneinfo";
};

// The defaults above with any environment override applied (an empty variable is ignored).
DataPaths DefaultDataPaths();

}  // namespace dialtone::refdata
