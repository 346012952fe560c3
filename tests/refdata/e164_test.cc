#include <boost/test/unit_test.hpp>

#include <string>

#include "refdata/e164.h"

namespace dialtone::refdata {

BOOST_AUTO_TEST_SUITE(E164Suite)

BOOST_AUTO_TEST_CASE(NumberWithPlusGivesDigitsPlusFormCallingCodeAndRegion) {
  auto n = ParseE164("+15551234567");
  BOOST_REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  BOOST_TEST(n->digits == "15551234567");
  BOOST_TEST(n->with_plus == "+15551234567");
  BOOST_TEST(n->country_calling_code == 1);
  BOOST_TEST(n->region == "US");
}

BOOST_AUTO_TEST_CASE(NumberWithoutPlusParsesTheSame) {
  auto n = ParseE164("15551234567");
  BOOST_REQUIRE(n.ok());
  BOOST_TEST(n->digits == "15551234567");
  BOOST_TEST(n->with_plus == "+15551234567");
  BOOST_TEST(n->region == "US");
}

BOOST_AUTO_TEST_CASE(LondonNumberIsGreatBritain) {
  auto n = ParseE164("+442079460000");
  BOOST_REQUIRE(n.ok());
  BOOST_TEST(n->country_calling_code == 44);
  BOOST_TEST(n->region == "GB");
  BOOST_TEST(CountryOfNumber("+442079460000") == "GB");
}

BOOST_AUTO_TEST_CASE(RegionComesFromTheNumberWithinASharedCallingCode) {
  // +1 416 is Toronto: Canada, although the main region of +1 is the US.
  BOOST_TEST(CountryOfNumber("+14165550199") == "CA");
  BOOST_TEST(CountryOfNumber("+33142685300") == "FR");
  BOOST_TEST(CountryOfNumber("+81312345678") == "JP");
}

BOOST_AUTO_TEST_CASE(NonGeographicCallingCodeIsValidWithoutRegion) {
  auto n = ParseE164("+80012345678");
  BOOST_REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  BOOST_TEST(n->country_calling_code == 800);
  BOOST_TEST(n->region == "");
}

BOOST_AUTO_TEST_CASE(UnassignedCallingCodeIsValidWithoutCodeOrRegion) {
  auto n = ParseE164("+99912345678");
  BOOST_REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  BOOST_TEST(n->country_calling_code == 0);
  BOOST_TEST(n->region == "");
}

BOOST_AUTO_TEST_CASE(EightToFifteenDigitsAreAccepted) {
  BOOST_TEST(ParseE164("+12345678").ok());
  BOOST_TEST(ParseE164("+123456789012345").ok());
}

BOOST_AUTO_TEST_CASE(TooShortOrTooLongIsRejectedSayingSo) {
  for (const char* text : {"+1234567", "1234567", "+1234567890123456"}) {
    BOOST_TEST_CONTEXT(text) {
      auto n = ParseE164(text);
      BOOST_REQUIRE(!n.ok());
      BOOST_TEST(static_cast<int>(n.status().code()) == static_cast<int>(ErrorCode::kInvalidArgument));
      BOOST_TEST(n.status().message().find("8 to 15 digits") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(LettersPunctuationAndDoublePlusAreRejected) {
  for (const char* text : {"+1555CALLNOW", "+1-555-123-4567", "+1 555 123 4567", "++15551234567",
                           "+15551234567x1", "1555123456７"}) {
    BOOST_TEST_CONTEXT(text) {
      auto n = ParseE164(text);
      BOOST_REQUIRE(!n.ok());
      BOOST_TEST(n.status().message().find("digits only") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(EmptyPlusAloneAndLeadingZeroAreRejected) {
  BOOST_TEST(!ParseE164("").ok());
  BOOST_TEST(!ParseE164("+").ok());
  auto zero = ParseE164("+0445551234");
  BOOST_REQUIRE(!zero.ok());
  BOOST_TEST(zero.status().message().find("cannot start with 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(PlusDecodedAsSpaceInAQueryStringIsAccepted) {
  auto n = ParseE164(" 15551234567");
  BOOST_REQUIRE(n.ok());
  BOOST_TEST(n->with_plus == "+15551234567");
}

BOOST_AUTO_TEST_CASE(CountryOfUnparseableNumberIsEmpty) {
  BOOST_TEST(CountryOfNumber("not a number") == "");
  BOOST_TEST(CountryOfNumber("+1") == "");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::refdata
