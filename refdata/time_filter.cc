#include "refdata/time_filter.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace dialtone::refdata {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kDefaultWindowSeconds = 24 * 3600;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// The period a (partial) date-time names: [start_ms, end_ms).
struct NamedPeriod {
  int64_t start_ms;
  int64_t end_ms;
  bool instant = false;  // down to the second (or finer): a point in time, not a period
};

class DateTimeParser {
 public:
  explicit DateTimeParser(std::string_view text) : text_(text) {}

  Result<NamedPeriod> Parse() {
    auto year = Digits(4, "a four-digit year");
    if (!year.ok()) return year.status();
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
    int64_t fraction_ms = 0;
    enum class Precision { kYear, kMonth, kDay, kHour, kMinute, kSecond, kFraction } precision = Precision::kYear;
    int fraction_digits = 0;

    if (Accept('-')) {
      auto m = Field(2, "month", 1, 12);
      if (!m.ok()) return m.status();
      month = *m;
      precision = Precision::kMonth;
      if (Accept('-')) {
        auto d = Field(2, "day", 1, DaysInMonth(*year, month));
        if (!d.ok()) return d.status();
        day = *d;
        precision = Precision::kDay;
        if (Accept('T') || Accept('t') || Accept(' ')) {
          auto h = Field(2, "hour", 0, 23);
          if (!h.ok()) return h.status();
          hour = *h;
          precision = Precision::kHour;
          if (Accept(':')) {
            auto mi = Field(2, "minute", 0, 59);
            if (!mi.ok()) return mi.status();
            minute = *mi;
            precision = Precision::kMinute;
            if (Accept(':')) {
              auto s = Field(2, "second", 0, 59);
              if (!s.ok()) return s.status();
              second = *s;
              precision = Precision::kSecond;
              if (Accept('.')) {
                size_t begin = pos_;
                while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
                  if (pos_ - begin < 3) fraction_ms = fraction_ms * 10 + (text_[pos_] - '0');
                  ++pos_;
                }
                fraction_digits = static_cast<int>(pos_ - begin);
                if (fraction_digits == 0 || fraction_digits > 9) {
                  return Error("a fraction of a second has 1 to 9 digits");
                }
                for (int i = fraction_digits; i < 3; ++i) fraction_ms *= 10;
                precision = Precision::kFraction;
              }
            }
          }
        }
      }
    }

    int64_t offset_ms = 0;
    if (pos_ < text_.size() && precision >= Precision::kHour) {
      auto offset = ZoneOffset();
      if (!offset.ok()) return offset.status();
      offset_ms = *offset;
    }
    if (pos_ != text_.size()) {
      return Error(precision >= Precision::kHour
                       ? "unexpected text after the time (expected Z or an offset like +06:00)"
                       : "unexpected text; expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh[:mm[:ss]]");
    }

    int64_t start = DaysFromCivil(*year, month, day) * kMsPerDay + hour * kMsPerHour +
                    minute * kMsPerMinute + second * kMsPerSecond + fraction_ms - offset_ms;
    int64_t end = 0;
    switch (precision) {
      case Precision::kYear:
        end = DaysFromCivil(*year + 1, 1, 1) * kMsPerDay;
        break;
      case Precision::kMonth:
        end = (month == 12 ? DaysFromCivil(*year + 1, 1, 1) : DaysFromCivil(*year, month + 1, 1)) * kMsPerDay;
        break;
      case Precision::kDay: end = start + kMsPerDay; break;
      case Precision::kHour: end = start + kMsPerHour; break;
      case Precision::kMinute: end = start + kMsPerMinute; break;
      case Precision::kSecond: end = start + kMsPerSecond; break;
      case Precision::kFraction:
        end = start + (fraction_digits == 1 ? 100 : fraction_digits == 2 ? 10 : 1);
        break;
    }
    return NamedPeriod{start, end, precision >= Precision::kSecond};
  }

 private:
  Status Error(const std::string& problem) const {
    return Status::InvalidArgument("'" + std::string(text_) + "': " + problem);
  }

  bool Accept(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<int> Digits(size_t count, const char* what) {
    if (pos_ + count > text_.size()) return Error(std::string("expected ") + what);
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
      char c = text_[pos_ + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) return Error(std::string("expected ") + what);
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }

  Result<int> Field(size_t count, const std::string& name, int min, int max) {
    auto value = Digits(count, ("a two-digit " + name).c_str());
    if (!value.ok()) return value;
    if (*value < min || *value > max) {
      char range[16];
      std::snprintf(range, sizeof range, "%02d..%02d", min, max);
      return Error(name + " must be " + range);
    }
    return value;
  }

  // "Z", or a sign then HH:MM / HHMM. A space stands for '+' (an unescaped '+' in a query
  // string is decoded as a space). Returns the offset east of UTC in milliseconds.
  Result<int64_t> ZoneOffset() {
    if (Accept('Z') || Accept('z')) return int64_t{0};
    int sign = 0;
    if (Accept('+') || Accept(' ')) sign = 1;
    else if (Accept('-')) sign = -1;
    if (sign == 0) return Error("expected Z or an offset like +06:00 after the time");
    auto hours = Field(2, "offset hour", 0, 23);
    if (!hours.ok()) return hours.status();
    Accept(':');
    auto minutes = Field(2, "offset minute", 0, 59);
    if (!minutes.ok()) return minutes.status();
    return sign * (*hours * kMsPerHour + *minutes * kMsPerMinute);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// "now" or "now-<N>(s|m|h|d)": the instant, or nullopt when `text` is not of that form.
std::optional<Result<int64_t>> ParseRelative(std::string_view text, int64_t now_epoch_s) {
  if (!text.starts_with("now")) return std::nullopt;
  int64_t now_ms = now_epoch_s * kMsPerSecond;
  std::string_view rest = text.substr(3);
  if (rest.empty()) return Result<int64_t>(now_ms);
  auto bad = [&] {
    return Result<int64_t>(Status::InvalidArgument(
        "'" + std::string(text) + "': a relative time is now-<N><unit> with unit s, m, h or d (e.g. now-24h)"));
  };
  if (rest.front() != '-' || rest.size() < 3 || rest.size() > 9) return bad();
  int64_t amount = 0;
  for (char c : rest.substr(1, rest.size() - 2)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad();
    amount = amount * 10 + (c - '0');
  }
  int64_t unit_ms = 0;
  switch (rest.back()) {
    case 's': unit_ms = kMsPerSecond; break;
    case 'm': unit_ms = kMsPerMinute; break;
    case 'h': unit_ms = kMsPerHour; break;
    case 'd': unit_ms = kMsPerDay; break;
    default: return bad();
  }
  return Result<int64_t>(now_ms - amount * unit_ms);
}

enum class Operator { kEquals, kGreaterOrEqual, kLessOrEqual, kGreater, kLess };

Result<TimeRange> ParseCondition(std::string_view condition, int64_t now_epoch_s) {
  Operator op = Operator::kEquals;
  std::string_view value = condition;
  if (value.starts_with(">=")) op = Operator::kGreaterOrEqual, value.remove_prefix(2);
  else if (value.starts_with("<=")) op = Operator::kLessOrEqual, value.remove_prefix(2);
  else if (value.starts_with(">")) op = Operator::kGreater, value.remove_prefix(1);
  else if (value.starts_with("<")) op = Operator::kLess, value.remove_prefix(1);
  else if (value.starts_with("=")) value.remove_prefix(1);
  auto error = [&](const Status& s) {
    return Status::InvalidArgument("createTime " + s.message());
  };
  if (value.empty()) {
    return Status::InvalidArgument("createTime '" + std::string(condition) + "': the operator has no date");
  }

  NamedPeriod period{};
  if (auto relative = ParseRelative(value, now_epoch_s)) {
    if (!relative->ok()) return error(relative->status());
    int64_t instant = relative->value();
    // Without an operator a relative time means "from then until now".
    period = {instant, op == Operator::kEquals ? (now_epoch_s + 1) * kMsPerSecond : instant + 1};
    if (op == Operator::kEquals && period.start_ms >= period.end_ms) {
      return Status::InvalidArgument("createTime '" + std::string(condition) + "' names no past time");
    }
  } else {
    auto parsed = DateTimeParser(value).Parse();
    if (!parsed.ok()) return error(parsed.status());
    period = *parsed;
  }

  // With an operator the value is one instant: the start of what it names.
  TimeRange range;
  switch (op) {
    case Operator::kEquals:
      // A period (a month, a day, an hour, a minute) is all of it; a full timestamp is
      // "all calls after" it, as the seed's example says.
      range = period.instant ? TimeRange{period.start_ms, kUnboundedEndMs} : TimeRange{period.start_ms, period.end_ms};
      break;
    case Operator::kGreaterOrEqual: range.begin_ms = period.start_ms; break;
    case Operator::kGreater: range.begin_ms = period.start_ms + 1; break;
    case Operator::kLessOrEqual: range.end_ms = period.start_ms + 1; break;
    case Operator::kLess: range.end_ms = period.start_ms; break;
  }
  return range;
}

}  // namespace

TimeRange DefaultCreateTimeWindow(int64_t now_epoch_s) {
  return {(now_epoch_s - kDefaultWindowSeconds) * kMsPerSecond, (now_epoch_s + 1) * kMsPerSecond};
}

Result<TimeRange> ParseCreateTimeFilter(std::string_view value, int64_t now_epoch_s) {
  if (value.empty()) return DefaultCreateTimeWindow(now_epoch_s);
  return ParseCondition(value, now_epoch_s);
}

Result<TimeRange> ParseCreateTimeFilter(std::span<const std::string> conditions, int64_t now_epoch_s) {
  TimeRange combined;
  bool any = false;
  for (const std::string& condition : conditions) {
    if (condition.empty()) continue;
    auto range = ParseCondition(condition, now_epoch_s);
    if (!range.ok()) return range;
    combined.begin_ms = std::max(combined.begin_ms, range->begin_ms);
    combined.end_ms = std::min(combined.end_ms, range->end_ms);
    any = true;
  }
  if (!any) return DefaultCreateTimeWindow(now_epoch_s);
  if (combined.begin_ms >= combined.end_ms) {
    return Status::InvalidArgument("createTime bounds leave no time: the lower bound " +
                                   FormatRfc3339(combined.begin_ms) + " is not before the upper bound " +
                                   FormatRfc3339(combined.end_ms));
  }
  return combined;
}

std::optional<std::string> CreateTimeConditionFromQuery(std::string_view key, std::string_view value) {
  constexpr std::string_view kName = "createTime";
  if (!key.starts_with(kName)) return std::nullopt;
  std::string_view suffix = key.substr(kName.size());
  if (suffix.empty()) return std::string(value);
  if (suffix.front() != '>' && suffix.front() != '<') return std::nullopt;  // e.g. createTimeStart
  if (suffix.size() == 1) return std::string(suffix) + "=" + std::string(value);
  // "createTime>2021-10-01" (no '=' in the pair); anything after a stray '=' stays in so
  // the parser reports it.
  std::string condition(suffix);
  if (!value.empty()) condition += "=" + std::string(value);
  return condition;
}

Result<int64_t> ParseInstantMs(std::string_view text) {
  auto parsed = DateTimeParser(text).Parse();
  if (!parsed.ok()) return parsed.status();
  return parsed->start_ms;
}

std::string FormatRfc3339(int64_t epoch_ms) {
  int64_t seconds = FloorDiv(epoch_ms, kMsPerSecond);
  int64_t days = FloorDiv(seconds, 86400);
  int64_t second_of_day = seconds - days * 86400;
  CivilDate date = CivilFromDays(days);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(date.year),
                date.month, date.day, static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  return buffer;
}

}  // namespace dialtone::refdata
