// Trunk list bindings and country permissions: what adding or replacing a trunk's lists
// changes, and how an account's country permissions inherit from its ancestors.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "model/bindings.h"
#include "model/country_permissions.h"

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
