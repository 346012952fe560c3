#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "refdata/timezones.h"

namespace dialtone::refdata {

BOOST_AUTO_TEST_SUITE(TimeZoneSuite)

BOOST_AUTO_TEST_CASE(ExistingZonesAreValid) {
  for (const char* zone : {"UTC", "Etc/UTC", "Europe/Paris", "America/New_York",
                           "America/Argentina/Buenos_Aires", "Asia/Tokyo", "Etc/GMT+5"}) {
    BOOST_TEST_CONTEXT(zone) { BOOST_TEST(IsIanaTimeZone(zone)); }
  }
}

BOOST_AUTO_TEST_CASE(UnknownZonesAndAreaFoldersAreInvalid) {
  for (const char* zone : {"", "Mars/Olympus", "Europe/Atlantis", "Europe", "America/Argentina",
                           "europe/paris", "Europe/", "Europe//Paris", "PST"}) {
    BOOST_TEST_CONTEXT('"' << zone << '"') { BOOST_TEST(!IsIanaTimeZone(zone)); }
  }
}

BOOST_AUTO_TEST_CASE(PathTricksAreRejected) {
  for (const char* zone : {"/etc/passwd", "/usr/share/zoneinfo/UTC", "../zoneinfo/UTC", "Europe/../UTC",
                           "./UTC", "Europe/./Paris", "..", "UTC/", "Europe\\Paris"}) {
    BOOST_TEST_CONTEXT(zone) { BOOST_TEST(!IsIanaTimeZone(zone)); }
  }
}

BOOST_AUTO_TEST_CASE(DebianAlternateTreesAndNonZoneFilesAreRejected) {
  // These exist under /usr/share/zoneinfo as TZif files or links to them, but are not zone names.
  for (const char* zone : {"posix/Europe/Paris", "right/UTC", "posixrules", "localtime"}) {
    BOOST_TEST_CONTEXT(zone) { BOOST_TEST(!IsIanaTimeZone(zone)); }
  }
}

BOOST_AUTO_TEST_CASE(DataFilesThatAreNotTzifAreRejected) {
  BOOST_TEST(!IsIanaTimeZone("leapseconds"));
  BOOST_TEST(!IsIanaTimeZone("zone.tab"));
}

BOOST_AUTO_TEST_CASE(ZoneinfoRootCanBeOverridden) {
  BOOST_TEST(IsIanaTimeZone("Europe/Paris", "/usr/share/zoneinfo"));
  BOOST_TEST(!IsIanaTimeZone("Europe/Paris", "/nonexistent/zoneinfo"));
}

BOOST_AUTO_TEST_CASE(AZoneFoundOnceStaysValidAndTheRootsAreKeptApart) {
  std::string pattern = (std::filesystem::temp_directory_path() / "dialtone-zoneinfo-XXXXXX").string();
  BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const std::filesystem::path root = pattern;
  std::filesystem::create_directories(root / "Test");
  std::filesystem::copy_file("/usr/share/zoneinfo/Europe/Paris", root / "Test" / "Zone");
  BOOST_TEST(IsIanaTimeZone("Test/Zone", root.string()));
  BOOST_TEST(!IsIanaTimeZone("Test/Zone", "/usr/share/zoneinfo"));  // another root
  std::filesystem::remove_all(root);
  BOOST_TEST(IsIanaTimeZone("Test/Zone", root.string()));  // remembered
  BOOST_TEST(!IsIanaTimeZone("Test/Other", root.string()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::refdata
