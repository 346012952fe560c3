#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "refdata/countries.h"

namespace dialtone::refdata {
namespace {

Country MustFind(std::string_view code) {
  auto found = Countries().Find(code);
  BOOST_REQUIRE_MESSAGE(found.has_value(), "country " << code << " not in the table");
  return *found;
}

using Codes = std::vector<std::string>;

// A scratch folder holding a hand-made iso_3166-1.json and zoneinfo/zone.tab.
class ScratchData {
 public:
  ScratchData() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("refdata_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(root_ / "zoneinfo");
  }
  ~ScratchData() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  void Write(const std::string& relative, const std::string& content) const {
    std::ofstream(root_ / relative) << content;
  }
  DataPaths paths() const {
    return DataPaths{(root_ / "iso_3166-1.json").string(), (root_ / "zoneinfo").string()};
  }

 private:
  std::filesystem::path root_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(CountryTableSuite)

BOOST_AUTO_TEST_CASE(InstalledDataLoadsWithoutError) {
  BOOST_TEST(Countries().load_status().ok(), Countries().load_status().ToString());
}

BOOST_AUTO_TEST_CASE(TableHoldsAtLeast240CountriesSortedByCode) {
  const auto& all = Countries().all();
  BOOST_TEST(all.size() >= 240u);
  for (size_t i = 1; i < all.size(); ++i) BOOST_TEST(all[i - 1].iso_code < all[i].iso_code);
}

BOOST_AUTO_TEST_CASE(UnitedStatesIsNorthAmericaWithPlusOne) {
  Country us = MustFind("US");
  BOOST_TEST(us.iso_code == "US");
  BOOST_TEST(us.name == "United States");
  BOOST_TEST(us.continent == "North America");
  BOOST_TEST(us.country_dialing_codes == Codes{"+1"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(MajorCountriesHaveTheirCallingCodeAndContinent) {
  struct Expected {
    const char* code;
    const char* name;
    const char* continent;
    const char* dialing_code;
  };
  const Expected cases[] = {
      {"GB", "United Kingdom", "Europe", "+44"}, {"FR", "France", "Europe", "+33"},
      {"DE", "Germany", "Europe", "+49"},        {"JP", "Japan", "Asia", "+81"},
      {"BR", "Brazil", "South America", "+55"},  {"AU", "Australia", "Oceania", "+61"},
  };
  for (const auto& e : cases) {
    BOOST_TEST_CONTEXT(e.code) {
      Country c = MustFind(e.code);
      BOOST_TEST(c.name == e.name);
      BOOST_TEST(c.continent == e.continent);
      BOOST_TEST(c.country_dialing_codes == Codes{e.dialing_code}, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(CanadaAndCaribbeanNanpMembersSharePlusOne) {
  for (const char* code : {"CA", "JM", "PR", "BS"}) {
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST(MustFind(code).country_dialing_codes == Codes{"+1"}, boost::test_tools::per_element());
      BOOST_TEST(MustFind(code).continent == "North America");
    }
  }
}

BOOST_AUTO_TEST_CASE(CommonNameIsPreferredOverTheFormalListName) {
  BOOST_TEST(MustFind("KR").name == "South Korea");
  BOOST_TEST(MustFind("TW").name == "Taiwan");
}

BOOST_AUTO_TEST_CASE(LookupIsCaseInsensitive) {
  auto lower = Countries().Find("gb");
  auto mixed = Countries().Find("gB");
  BOOST_REQUIRE(lower.has_value());
  BOOST_REQUIRE(mixed.has_value());
  BOOST_TEST(lower->iso_code == "GB");
  BOOST_TEST(mixed->iso_code == "GB");
}

BOOST_AUTO_TEST_CASE(UnknownOrMalformedCodeIsNotFound) {
  for (const char* code : {"XX", "ZZ", "", "U", "USA", "1A", "001"}) {
    BOOST_TEST_CONTEXT('"' << code << '"') { BOOST_TEST(!Countries().Find(code).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(EveryCountryHasOneOfSevenContinents) {
  const std::set<std::string> continents = {"Africa", "Antarctica", "Asia", "Europe",
                                            "North America", "Oceania", "South America"};
  for (const auto& c : Countries().all()) {
    BOOST_TEST_CONTEXT(c.iso_code) {
      BOOST_TEST(continents.contains(c.continent));
      BOOST_TEST(!c.name.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(AmericasSplitAtTheColombiaPanamaBorder) {
  BOOST_TEST(MustFind("PA").continent == "North America");
  BOOST_TEST(MustFind("CR").continent == "North America");
  BOOST_TEST(MustFind("MX").continent == "North America");
  BOOST_TEST(MustFind("GL").continent == "North America");
  BOOST_TEST(MustFind("CW").continent == "North America");
  BOOST_TEST(MustFind("CO").continent == "South America");
  BOOST_TEST(MustFind("EC").continent == "South America");
  BOOST_TEST(MustFind("VE").continent == "South America");
  BOOST_TEST(MustFind("AR").continent == "South America");
  BOOST_TEST(MustFind("GF").continent == "South America");
}

BOOST_AUTO_TEST_CASE(OceanZonesFollowTheirLocation) {
  BOOST_TEST(MustFind("IS").continent == "Europe");          // Atlantic/Reykjavik
  BOOST_TEST(MustFind("BM").continent == "North America");   // Atlantic/Bermuda
  BOOST_TEST(MustFind("FK").continent == "South America");   // Atlantic/Stanley
  BOOST_TEST(MustFind("CV").continent == "Africa");          // Atlantic/Cape_Verde
  BOOST_TEST(MustFind("MU").continent == "Africa");          // Indian/Mauritius
  BOOST_TEST(MustFind("MV").continent == "Asia");            // Indian/Maldives
  BOOST_TEST(MustFind("TF").continent == "Antarctica");      // Indian/Kerguelen
  BOOST_TEST(MustFind("NZ").continent == "Oceania");         // Pacific/Auckland
  BOOST_TEST(MustFind("SJ").continent == "Europe");          // Arctic/Longyearbyen
  BOOST_TEST(MustFind("AQ").continent == "Antarctica");
}

BOOST_AUTO_TEST_CASE(TerritoriesWithoutAZoneFallBackToAntarctica) {
  BOOST_TEST(MustFind("BV").continent == "Antarctica");
  BOOST_TEST(MustFind("HM").continent == "Antarctica");
}

BOOST_AUTO_TEST_CASE(TerritoryWithoutOwnCallingCodeHasNoDialingCodes) {
  BOOST_TEST(MustFind("BV").country_dialing_codes.empty());
}

BOOST_AUTO_TEST_CASE(LoadsExactlyWhatTheDataFilesSay) {
  ScratchData data;
  data.Write("iso_3166-1.json", R"({"3166-1": [
      {"alpha_2": "FR", "name": "France"},
      {"alpha_2": "CO", "name": "Colombia", "common_name": "Kolumbien"}]})");
  data.Write("zoneinfo/zone.tab",
             "# comment\nFR\t+4852+00220\tEurope/Paris\nCO\t+0436-07405\tAmerica/Bogota\n");
  auto table = CountryTable::Load(data.paths());
  BOOST_REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  BOOST_REQUIRE(table->size() == 2u);
  BOOST_TEST(table->all()[0].iso_code == "CO");
  BOOST_TEST(table->all()[0].name == "Kolumbien");
  BOOST_TEST(table->all()[0].continent == "South America");
  BOOST_TEST(table->all()[0].country_dialing_codes == Codes{"+57"}, boost::test_tools::per_element());
  BOOST_TEST(table->all()[1].continent == "Europe");
  BOOST_TEST(!table->Find("US").has_value());
}

BOOST_AUTO_TEST_CASE(MissingIsoFileIsNotFoundNamingThePath) {
  ScratchData data;
  data.Write("zoneinfo/zone.tab", "FR\t+4852+00220\tEurope/Paris\n");
  auto table = CountryTable::Load(data.paths());
  BOOST_REQUIRE(!table.ok());
  BOOST_TEST(static_cast<int>(table.status().code()) == static_cast<int>(ErrorCode::kNotFound));
  BOOST_TEST(table.status().message().find(data.paths().iso3166_json) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(MissingZoneTabIsNotFound) {
  ScratchData data;
  data.Write("iso_3166-1.json", R"({"3166-1": [{"alpha_2": "FR", "name": "France"}]})");
  auto table = CountryTable::Load(data.paths());
  BOOST_REQUIRE(!table.ok());
  BOOST_TEST(static_cast<int>(table.status().code()) == static_cast<int>(ErrorCode::kNotFound));
  BOOST_TEST(table.status().message().find("zone.tab") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(MalformedDataIsCorruption) {
  const std::pair<const char*, const char*> cases[] = {
      {"{not json", "FR\t+4852+00220\tEurope/Paris\n"},
      {R"({"countries": []})", "FR\t+4852+00220\tEurope/Paris\n"},
      {R"({"3166-1": [{"alpha_2": "fr", "name": "France"}]})", "FR\t+4852+00220\tEurope/Paris\n"},
      {R"({"3166-1": [{"alpha_2": "FR"}]})", "FR\t+4852+00220\tEurope/Paris\n"},
      {R"({"3166-1": [{"alpha_2": "FR", "name": "France"}]})", "FR\tParis\tEurope/Paris\n"},
      {R"({"3166-1": [{"alpha_2": "FR", "name": "France"}]})", "FR\t+4852+00220\tMars/Olympus\n"},
  };
  for (const auto& [json, zone_tab] : cases) {
    BOOST_TEST_CONTEXT(json << " / " << zone_tab) {
      ScratchData data;
      data.Write("iso_3166-1.json", json);
      data.Write("zoneinfo/zone.tab", zone_tab);
      auto table = CountryTable::Load(data.paths());
      BOOST_REQUIRE(!table.ok());
      BOOST_TEST(static_cast<int>(table.status().code()) == static_cast<int>(ErrorCode::kCorruption));
    }
  }
}

BOOST_AUTO_TEST_CASE(EnvironmentOverridesTheDataPathsAndEmptyMeansDefault) {
  ::setenv("DIALTONE_ISO3166_JSON", "/tmp/iso.json", 1);
  ::setenv("DIALTONE_ZONEINFO", "", 1);
  DataPaths paths = DefaultDataPaths();
  ::unsetenv("DIALTONE_ISO3166_JSON");
  ::unsetenv("DIALTONE_ZONEINFO");
  BOOST_TEST(paths.iso3166_json == "/tmp/iso.json");
  BOOST_TEST(paths.zoneinfo_dir == "/usr/share/zoneinfo");
  BOOST_TEST(DefaultDataPaths().iso3166_json == "/usr/share/iso-codes/json/iso_3166-1.json");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::refdata
