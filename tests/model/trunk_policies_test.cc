// Trunk list bindings and country permissions: what adding or replacing a trunk's lists
// changes, and how an account's country permissions inherit from its ancestors.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "model/bindings.h"
#include "model/call_blocking.h"
#include "model/country_permissions.h"
#include "model/schema.h"
#include "model/validate.h"

using namespace dialtone::model;

namespace {

using Ids = std::vector<std::string>;

const std::vector<BoundList> kBound = {{"b1", "acl_a"}, {"b2", "acl_b"}};

}  // namespace

BOOST_AUTO_TEST_SUITE(Bindings)

BOOST_AUTO_TEST_CASE(AddingBindsOnlyListsNotAlreadyBound) {
  const BindingChange change = PlanBindingChange(kBound, {"acl_b", "acl_c", "acl_c"}, /*replace=*/false);
  BOOST_TEST(change.unbind.empty());
  BOOST_TEST(change.bind == (Ids{"acl_c"}));
}

BOOST_AUTO_TEST_CASE(ReplacingUnbindsWhatIsNotWantedAndKeepsWhatIs) {
  const BindingChange change = PlanBindingChange(kBound, {"acl_c", "acl_b"}, /*replace=*/true);
  BOOST_TEST(change.unbind == (Ids{"b1"}));
  BOOST_TEST(change.bind == (Ids{"acl_c"}));
}

BOOST_AUTO_TEST_CASE(ReplacingWithNothingUnbindsEverything) {
  const BindingChange change = PlanBindingChange(kBound, {}, /*replace=*/true);
  BOOST_TEST(change.unbind == (Ids{"b1", "b2"}));
  BOOST_TEST(change.bind.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CountryPermissionsInheritance)

BOOST_AUTO_TEST_CASE(ACountryNobodySetIsEnabled) {
  const CountryPermissions permissions({}, {});
  BOOST_TEST(permissions.Enabled("FR"));
}

BOOST_AUTO_TEST_CASE(TheOwnSettingBeatsTheNearestAncestorWhichBeatsFurtherOnes) {
  const CountryPermissions permissions({{"FR", true}}, {{{"DE", false}, {"FR", false}}, {{"DE", true}, {"IT", false}}});
  BOOST_TEST(permissions.Enabled("FR"));   // own
  BOOST_TEST(!permissions.Enabled("DE"));  // the parent, not the grandparent
  BOOST_TEST(!permissions.Enabled("IT"));  // the grandparent
  BOOST_TEST(permissions.Enabled("ES"));   // nobody
}

BOOST_AUTO_TEST_CASE(AChangeIsStoredOnlyWhereItDiffersFromWhatIsInherited) {
  const CountryPermissions permissions({{"FR", false}}, {{{"DE", false}}});
  using Change = CountryPermissions::Change;
  BOOST_TEST((permissions.ChangeFor("DE", false) == Change::kNone));    // inherited already
  BOOST_TEST((permissions.ChangeFor("ES", true) == Change::kNone));     // the default already
  BOOST_TEST((permissions.ChangeFor("DE", true) == Change::kCreate));   // overrides the parent
  BOOST_TEST((permissions.ChangeFor("FR", true) == Change::kUpdate));   // its own row changes
  BOOST_TEST((permissions.ChangeFor("FR", false) == Change::kNone));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CallBlocking)

CallFacts Inbound(std::string caller, std::string caller_country = "") {
  CallFacts call;
  call.direction = CallFacts::Direction::kInbound;
  call.caller = std::move(caller);
  call.callee = "14155550100";
  call.caller_country = std::move(caller_country);
  call.callee_country = "US";
  return call;
}

BOOST_AUTO_TEST_CASE(ARuleBlocksWhenItsDirectionAndEveryCriterionItNamesHold) {
  const std::vector<Json> rules = {
      {{"id", "off"}, {"direction", "inbound"}, {"caller_match", "4670"}, {"enabled", 0}},
      {{"id", "se-mobile"}, {"direction", "inbound"}, {"caller_match", "+4670"}, {"caller_country", "SE"}, {"enabled", 1}},
      {{"id", "premium"}, {"direction", "outbound"}, {"callee_match", "1900"}, {"enabled", 1}},
  };
  const Json* hit = BlockingRule(rules, Inbound("+46701234567", "SE"));
  BOOST_REQUIRE(hit != nullptr);
  BOOST_TEST((*hit)["id"] == "se-mobile");                                  // the disabled one is skipped
  BOOST_TEST(BlockingRule(rules, Inbound("46701234567", "NO")) == nullptr);  // every criterion must hold
  BOOST_TEST(BlockingRule(rules, Inbound("46811111111", "SE")) == nullptr);
  CallFacts out;
  out.direction = CallFacts::Direction::kOutbound;
  out.callee = "19005550123";
  BOOST_TEST((*BlockingRule(rules, out))["id"] == "premium");
  out.callee = "14155550123";
  BOOST_TEST(BlockingRule(rules, out) == nullptr);
}

BOOST_AUTO_TEST_CASE(ARuleOfBothDirectionsOrWithoutCriteriaBlocksEveryCallItCovers) {
  const std::vector<Json> both = {{{"direction", "both"}, {"callee_country", "us"}}};
  BOOST_TEST(BlockingRule(both, Inbound("442071838750", "GB")) != nullptr);  // callee US
  const std::vector<Json> everything = {{{"direction", "inbound"}, {"caller_match", nullptr}}};
  BOOST_TEST(BlockingRule(everything, Inbound("1")) != nullptr);
}

BOOST_AUTO_TEST_CASE(ARuleOfTheEarlierShapeIsUpgradedWithNothingLost) {
  const ResourceSpec& spec = *FindResource("call_blocking_rule");
  const Json inbound = UpgradeStored(spec, {{"number_prefix", "1900"}, {"direction", "inbound"}, {"enabled", 0}});
  BOOST_TEST(inbound["caller_match"] == "1900");
  BOOST_TEST(inbound["callee_match"].is_null());
  BOOST_TEST(inbound["enabled"] == 0);
  BOOST_TEST(!inbound.contains("number_prefix"));
  const Json both = UpgradeStored(spec, {{"number_prefix", "1976"}, {"direction", "both"}});
  BOOST_TEST(both["caller_match"] == "1976");
  BOOST_TEST(both["callee_match"] == "1976");
  BOOST_TEST(both["direction"] == "both");
  const Json outbound = UpgradeStored(spec, {{"number_prefix", "1900"}, {"direction", "outbound"}});
  BOOST_TEST(outbound["callee_match"] == "1900");
  BOOST_TEST(outbound["caller_match"].is_null());
  // A current document is left as it is.
  const Json current = {{"direction", "inbound"}, {"caller_match", "44"}, {"callee_match", nullptr},
                        {"caller_country", nullptr}, {"callee_country", nullptr}};
  BOOST_TEST(UpgradeStored(spec, current) == current);
}

BOOST_AUTO_TEST_SUITE_END()
