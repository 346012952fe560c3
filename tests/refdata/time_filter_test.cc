#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "refdata/time_filter.h"

namespace dialtone::refdata {
namespace {

// Epoch seconds, checked with `date -u -d <date> +%s`.
constexpr int64_t k2021Jan01 = 1609459200;
constexpr int64_t k2021Feb01 = 1612137600;
constexpr int64_t k2021Feb01T0800 = 1612166400;
constexpr int64_t k2021Feb01T0830 = 1612168200;
constexpr int64_t k2021Feb01T0200 = 1612144800;
constexpr int64_t k2021Feb15T1200 = 1613390400;  // "now" in these tests
constexpr int64_t k2021Mar01 = 1614556800;
constexpr int64_t k2021Oct01 = 1633046400;
constexpr int64_t k2021Oct30 = 1635552000;
constexpr int64_t k2021Nov01 = 1635724800;
constexpr int64_t k2021Dec01 = 1638316800;
constexpr int64_t k2022Jan01 = 1640995200;
constexpr int64_t k2020Feb29 = 1582934400;
constexpr int64_t k2020Mar01 = 1583020800;

constexpr int64_t kNow = k2021Feb15T1200;
constexpr int64_t kMs = 1000;

TimeRange Range(int64_t begin_ms, int64_t end_ms) { return TimeRange{begin_ms, end_ms}; }

TimeRange MustParse(std::string_view value) {
  auto range = ParseCreateTimeFilter(value, kNow);
  BOOST_REQUIRE_MESSAGE(range.ok(), value << ": " << range.status().ToString());
  return *range;
}

void CheckRange(std::string_view value, TimeRange expected) {
  BOOST_TEST_CONTEXT(value) {
    TimeRange got = MustParse(value);
    BOOST_TEST(got.begin_ms == expected.begin_ms);
    BOOST_TEST(got.end_ms == expected.end_ms);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CreateTimeFilterSuite)

BOOST_AUTO_TEST_CASE(DayMeansTheWholeUtcDay) {
  CheckRange("2021-02-01", Range(k2021Feb01 * kMs, (k2021Feb01 + 86400) * kMs));
  CheckRange("=2021-02-01", Range(k2021Feb01 * kMs, (k2021Feb01 + 86400) * kMs));
}

BOOST_AUTO_TEST_CASE(DayIncludesItsLastSecondAndExcludesTheNextMidnight) {
  TimeRange day = MustParse("2021-02-01");
  BOOST_TEST(day.Contains(k2021Feb01 * kMs));
  BOOST_TEST(day.Contains((k2021Feb01 + 86399) * kMs + 999));  // 23:59:59.999
  BOOST_TEST(!day.Contains((k2021Feb01 + 86400) * kMs));
  BOOST_TEST(!day.Contains(k2021Feb01 * kMs - 1));
}

BOOST_AUTO_TEST_CASE(MonthMeansTheWholeMonth) {
  CheckRange("2021-02", Range(k2021Feb01 * kMs, k2021Mar01 * kMs));
  CheckRange("2021-12", Range(k2021Dec01 * kMs, k2022Jan01 * kMs));
}

BOOST_AUTO_TEST_CASE(YearMeansTheWholeYear) {
  CheckRange("2021", Range(k2021Jan01 * kMs, k2022Jan01 * kMs));
}

BOOST_AUTO_TEST_CASE(HourMeansTheWholeHour) {
  CheckRange("2021-02-01T08", Range(k2021Feb01T0800 * kMs, (k2021Feb01T0800 + 3600) * kMs));
}

BOOST_AUTO_TEST_CASE(HourWithOffsetIsThatHourInTheOffset) {
  CheckRange("2021-02-01T08+0600", Range(k2021Feb01T0200 * kMs, (k2021Feb01T0200 + 3600) * kMs));
  CheckRange("2021-02-01T08:00+06:00", Range(k2021Feb01T0200 * kMs, (k2021Feb01T0200 + 60) * kMs));
}

BOOST_AUTO_TEST_CASE(MinuteMeansTheWholeMinute) {
  CheckRange("2021-02-01T08:30", Range(k2021Feb01T0830 * kMs, (k2021Feb01T0830 + 60) * kMs));
  CheckRange("2021-02-01T08:30Z", Range(k2021Feb01T0830 * kMs, (k2021Feb01T0830 + 60) * kMs));
}

BOOST_AUTO_TEST_CASE(AFullTimestampMeansEverythingFromThenOn) {
  // The seed: "2021-02-01T14:00:00+0600 will return all calls after 14:00".
  const int64_t end = dialtone::refdata::kUnboundedEndMs;
  CheckRange("2021-02-01T08:00:00Z", Range(k2021Feb01T0800 * kMs, end));
  CheckRange("2021-02-01T14:00:00+0600", Range(k2021Feb01T0800 * kMs, end));
  CheckRange("2021-02-01T03:00:00-05:00", Range(k2021Feb01T0800 * kMs, end));
  CheckRange("2021-02-01t08:00:00z", Range(k2021Feb01T0800 * kMs, end));
  CheckRange("2021-02-01T08:00:00.25Z", Range(k2021Feb01T0800 * kMs + 250, end));
}

BOOST_AUTO_TEST_CASE(OffsetWhosePlusWasDecodedAsSpaceIsAccepted) {
  CheckRange("2021-02-01T14:00:00 0600", Range(k2021Feb01T0800 * kMs, dialtone::refdata::kUnboundedEndMs));
}

BOOST_AUTO_TEST_CASE(LeapDayIsADay) {
  CheckRange("2020-02-29", Range(k2020Feb29 * kMs, k2020Mar01 * kMs));
}

BOOST_AUTO_TEST_CASE(GreaterOrEqualIsAnInclusiveLowerBoundAtTheStartOfTheDate) {
  CheckRange(">=2021-10-01", Range(k2021Oct01 * kMs, kUnboundedEndMs));
}

BOOST_AUTO_TEST_CASE(LessOrEqualIsAnInclusiveUpperBoundAtTheCompletedDate) {
  // With an operator the partial date is completed with zeros: <= 2021-10-30T00:00:00Z.
  TimeRange range = MustParse("<=2021-10-30");
  BOOST_TEST(range.begin_ms == kUnboundedBeginMs);
  BOOST_TEST(range.end_ms == k2021Oct30 * kMs + 1);
  BOOST_TEST(range.Contains(k2021Oct30 * kMs));
  BOOST_TEST(!range.Contains(k2021Oct30 * kMs + 1));
}

BOOST_AUTO_TEST_CASE(StrictOperatorsExcludeTheInstant) {
  TimeRange after = MustParse(">2021-10-01T00:00:00Z");
  BOOST_TEST(!after.Contains(k2021Oct01 * kMs));
  BOOST_TEST(after.Contains(k2021Oct01 * kMs + 1));
  TimeRange before = MustParse("<2021-10-01");
  BOOST_TEST(before.end_ms == k2021Oct01 * kMs);
  BOOST_TEST(!before.Contains(k2021Oct01 * kMs));
  BOOST_TEST(before.Contains(k2021Oct01 * kMs - 1));
}

BOOST_AUTO_TEST_CASE(BothBoundsCombineIntoOneRange) {
  std::vector<std::string> conditions = {">=2021-10-01", "<=2021-10-30"};
  auto range = ParseCreateTimeFilter(conditions, kNow);
  BOOST_REQUIRE_MESSAGE(range.ok(), range.status().ToString());
  BOOST_TEST(range->begin_ms == k2021Oct01 * kMs);
  BOOST_TEST(range->end_ms == k2021Oct30 * kMs + 1);
}

BOOST_AUTO_TEST_CASE(BoundsThatLeaveNoTimeAreRejected) {
  std::vector<std::string> conditions = {">=2021-11-01", "<=2021-10-30"};
  auto range = ParseCreateTimeFilter(conditions, kNow);
  BOOST_REQUIRE(!range.ok());
  BOOST_TEST(static_cast<int>(range.status().code()) == static_cast<int>(ErrorCode::kInvalidArgument));
  BOOST_TEST(range.status().message().find("leave no time") != std::string::npos);
  BOOST_TEST(range.status().message().find(FormatRfc3339(k2021Nov01 * kMs)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(AbsentFilterIsTheLast24Hours) {
  TimeRange expected{(kNow - 86400) * kMs, (kNow + 1) * kMs};
  BOOST_TEST((DefaultCreateTimeWindow(kNow) == expected));
  BOOST_TEST((MustParse("") == expected));
  auto none = ParseCreateTimeFilter(std::vector<std::string>{}, kNow);
  BOOST_REQUIRE(none.ok());
  BOOST_TEST((*none == expected));
  auto empty_only = ParseCreateTimeFilter(std::vector<std::string>{""}, kNow);
  BOOST_REQUIRE(empty_only.ok());
  BOOST_TEST((*empty_only == expected));
}

BOOST_AUTO_TEST_CASE(TheSeedDefaultLiteralNowMinus24hEqualsTheDefault) {
  BOOST_TEST((MustParse("now-24h") == DefaultCreateTimeWindow(kNow)));
  CheckRange("now-90m", Range((kNow - 5400) * kMs, (kNow + 1) * kMs));
  CheckRange(">=now-2d", Range((kNow - 2 * 86400) * kMs, kUnboundedEndMs));
}

BOOST_AUTO_TEST_CASE(MalformedValuesAreRejectedNamingTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"2021-13", "month must be 01..12"},
      {"2021-00", "month must be 01..12"},
      {"2021-02-29", "day must be 01..28"},
      {"2021-04-31", "day must be 01..30"},
      {"2021-02-01T24", "hour must be 00..23"},
      {"2021-02-01T08:60", "minute must be 00..59"},
      {"2021-02-01T08:00:60Z", "second must be 00..59"},
      {"21-02-01", "four-digit year"},
      {"2021-2-1", "two-digit month"},
      {"2021-02-01Z", "unexpected text"},
      {"2021Z", "unexpected text"},
      {"2021-02-01T08:00:00+06", "offset minute"},
      {"2021-02-01T08:00:00+25:00", "offset hour must be 00..23"},
      {"2021-02-01T08:00:00.", "fraction"},
      {"2021-02-01T08:00:00Zjunk", "unexpected text after the time"},
      {"yesterday", "four-digit year"},
      {">=", "has no date"},
      {"=>2021-01-01", "four-digit year"},
      {"now+1h", "relative time"},
      {"now-h", "relative time"},
      {"now-24w", "relative time"},
  };
  for (const auto& [value, problem] : cases) {
    BOOST_TEST_CONTEXT(value) {
      auto range = ParseCreateTimeFilter(value, kNow);
      BOOST_REQUIRE(!range.ok());
      BOOST_TEST(static_cast<int>(range.status().code()) == static_cast<int>(ErrorCode::kInvalidArgument));
      BOOST_TEST(range.status().message().starts_with("createTime"));
      BOOST_TEST(range.status().message().find(problem) != std::string::npos, range.status().message());
    }
  }
}

BOOST_AUTO_TEST_CASE(OneMalformedConditionRejectsTheWholeFilter) {
  std::vector<std::string> conditions = {">=2021-10-01", "<=2021-10-32"};
  BOOST_TEST(!ParseCreateTimeFilter(conditions, kNow).ok());
}

BOOST_AUTO_TEST_CASE(QueryPairsBecomeConditions) {
  using Opt = std::optional<std::string>;
  BOOST_TEST((CreateTimeConditionFromQuery("createTime", "2021-02") == Opt("2021-02")));
  BOOST_TEST((CreateTimeConditionFromQuery("createTime", ">=2021-02") == Opt(">=2021-02")));
  BOOST_TEST((CreateTimeConditionFromQuery("createTime>", "2021-10-01") == Opt(">=2021-10-01")));
  BOOST_TEST((CreateTimeConditionFromQuery("createTime<", "2021-10-30") == Opt("<=2021-10-30")));
  BOOST_TEST((CreateTimeConditionFromQuery("createTime>2021-10-01", "") == Opt(">2021-10-01")));
  BOOST_TEST((CreateTimeConditionFromQuery("createTime<2021-10-01", "") == Opt("<2021-10-01")));
  BOOST_TEST(!CreateTimeConditionFromQuery("createTimeStart", "2021-02-01").has_value());
  BOOST_TEST(!CreateTimeConditionFromQuery("from", "+1555").has_value());
}

BOOST_AUTO_TEST_CASE(InstantCompletesPartialDatesWithZeros) {
  auto month = ParseInstantMs("2021-02");
  BOOST_REQUIRE(month.ok());
  BOOST_TEST(*month == k2021Feb01 * kMs);
  auto stamp = ParseInstantMs("2021-02-01T23:59:59+0600");
  BOOST_REQUIRE(stamp.ok());
  BOOST_TEST(*stamp == (k2021Feb01 + 86399 - 6 * 3600) * kMs);
  BOOST_TEST(!ParseInstantMs("2021-02-30").ok());
}

BOOST_AUTO_TEST_CASE(FormatsRfc3339InUtcAsTheSeedSamples) {
  BOOST_TEST(FormatRfc3339(k2022Jan01 * kMs) == "2022-01-01T00:00:00Z");
  BOOST_TEST(FormatRfc3339(k2022Jan01 * kMs + 999) == "2022-01-01T00:00:00Z");
  BOOST_TEST(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(FormatRfc3339(-1) == "1969-12-31T23:59:59Z");
  BOOST_TEST(FormatRfc3339(k2020Feb29 * kMs + 45296000) == "2020-02-29T12:34:56Z");
}

BOOST_AUTO_TEST_CASE(FormattedTimesParseBackToTheSameSecond) {
  for (int64_t seconds : {int64_t{0}, k2020Feb29 + 1, k2021Feb15T1200, int64_t{4102444799}, int64_t{-86401}}) {
    BOOST_TEST_CONTEXT(seconds) {
      auto back = ParseInstantMs(FormatRfc3339(seconds * kMs));
      BOOST_REQUIRE(back.ok());
      BOOST_TEST(*back == seconds * kMs);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::refdata
