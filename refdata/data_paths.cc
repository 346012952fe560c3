#include "refdata/data_paths.h"

#include <cstdlib>

namespace dialtone::refdata {

DataPaths DefaultDataPaths() {
  DataPaths paths;
  if (const char* v = std::getenv("DIALTONE_ISO3166_JSON"); v != nullptr && *v != '\0') {
    paths.iso3166_json = v;
  }
  if (const char* v = std::getenv("DIALTONE_ZONEINFO"); v != nullptr && *v != '\0') {
    paths.zoneinfo_dir = v;
  }
  return paths;
}

}  // namespace dialtone::refdata
