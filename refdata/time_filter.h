// The EST `createTime` filter of GET /calls, and RFC 3339 formatting. Grammar and
// semantics: refdata/README.md ("createTime").
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dialtone::refdata {

inline constexpr int64_t kUnboundedBeginMs = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kUnboundedEndMs = std::numeric_limits<int64_t>::max();

// A half-open interval of epoch milliseconds: begin_ms <= t < end_ms. The unbounded
// sentinels above stand for "no lower bound" / "no upper bound".
struct TimeRange {
  int64_t begin_ms = kUnboundedBeginMs;
  int64_t end_ms = kUnboundedEndMs;

  bool Contains(int64_t epoch_ms) const { return begin_ms <= epoch_ms && epoch_ms < end_ms; }
  bool operator==(const TimeRange&) const = default;
};

// The window used when a request has no createTime: the last 24 hours up to and including
// the current second, [now - 86400 s, now + 1 s).
TimeRange DefaultCreateTimeWindow(int64_t now_epoch_s);

// One createTime condition: an optional operator (=, >=, <=, >, <) followed by a value.
// Without an operator (or with '='), the value names a whole period: "2021" a year,
// "2021-02" a month, "2021-02-01" a day, "2021-02-01T08" an hour, "2021-02-01T08:30" a
// minute, "2021-02-01T08:30:15" a second (a fraction narrows it to the named digit).
// With an operator the value is completed with zeros to one instant and used as the bound.
// "now-<N>(s|m|h|d)" is the instant N units before now (the seed's default "now-24h");
// without an operator it means [that instant, now + 1 s).
// An empty `value` means "absent" and gives DefaultCreateTimeWindow(now).
// Errors are kInvalidArgument naming the problem.
Result<TimeRange> ParseCreateTimeFilter(std::string_view value, int64_t now_epoch_s);

// Every createTime condition of one request (e.g. ">=2021-10-01" and "<=2021-10-30"),
// intersected. No conditions gives DefaultCreateTimeWindow(now). Bounds that leave no
// instant (lower bound not before upper bound) are kInvalidArgument.
Result<TimeRange> ParseCreateTimeFilter(std::span<const std::string> conditions,
                                        int64_t now_epoch_s);

// Maps one decoded query-string pair to a condition for ParseCreateTimeFilter, or nullopt
// when the pair is not a createTime filter. A query "createTime>=2021-10-01" splits at its
// first '=' into key "createTime>" and value "2021-10-01"; "createTime>2021-10-01" has no
// '=' at all and arrives as key "createTime>2021-10-01" with an empty value.
//   ("createTime", "2021-02")            -> "2021-02"
//   ("createTime", ">=2021-02")          -> ">=2021-02"   (operator percent-encoded)
//   ("createTime>", "2021-10-01")        -> ">=2021-10-01"
//   ("createTime<", "2021-10-30")        -> "<=2021-10-30"
//   ("createTime>2021-10-01", "")        -> ">2021-10-01"
std::optional<std::string> CreateTimeConditionFromQuery(std::string_view key,
                                                        std::string_view value);

// One instant from an RFC 3339 date-time or any partial form accepted above, completed
// with zeros ("2021-02" -> 2021-02-01T00:00:00Z). Epoch milliseconds. For parameters such
// as createTimeStart / createTimeEnd.
Result<int64_t> ParseInstantMs(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" in UTC; milliseconds are truncated toward the earlier second.
std::string FormatRfc3339(int64_t epoch_ms);

}  // namespace dialtone::refdata
