// IANA time zone names checked against the installed tzdata.
#pragma once

#include <string_view>

namespace dialtone::refdata {

// True when `name` is a zone name with a TZif file under `zoneinfo_dir`: relative, made of
// [A-Za-z0-9_+-] components separated by '/', no empty, "." or ".." component, a regular
// file (not a directory) starting with the TZif magic. "UTC" and "Etc/UTC" are valid.
// The Debian alternate trees "posix/…" and "right/…" and the non-zone files "localtime"
// and "posixrules" are rejected. A zone found once stays valid for the life of the
// process (tzdata renames zones into links, never removes them); thread-safe.
bool IsIanaTimeZone(std::string_view name, std::string_view zoneinfo_dir);
// As above with DefaultDataPaths().zoneinfo_dir, read once (at the first call).
bool IsIanaTimeZone(std::string_view name);

}  // namespace dialtone::refdata
