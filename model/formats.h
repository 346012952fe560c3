// Checks for the value formats the model uses. Each returns std::nullopt when the value
// is acceptable, or a short message saying what is wrong ("must be …"). No exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone::model {

using FormatError = std::optional<std::string>;

// 8..15 digits, no '+', a country code that exists and a length possible for it
// (libphonenumber's IsPossibleNumber; fictional-but-well-formed numbers such as
// 15551234567 pass).
FormatError CheckE164(std::string_view digits);
// The ISO 3166-1 alpha-2 region of an E.164 number (digits, no '+'), e.g. "US" for
// 15551234567 (the main region of the country code when the number is not assigned);
// "" when unknown.
std::string RegionOfE164(std::string_view digits);

FormatError CheckIp(std::string_view text);
// "addr/bits" or a bare address; `canonical` receives the text with the prefix made
// explicit (/32 or /128).
FormatError CheckCidr(std::string_view text, std::string* canonical);
bool IsIpv4(std::string_view text);
FormatError CheckHost(std::string_view text);      // IP address or host name
FormatError CheckHostPort(std::string_view text);  // host[:port], [v6]:port
FormatError CheckDomain(std::string_view text);    // >= 2 labels
FormatError CheckDnsLabel(std::string_view text);
FormatError CheckRegex(std::string_view pattern);  // ECMAScript, <= kMaxRegexLength bytes
inline constexpr size_t kMaxRegexLength = 256;
// IANA zone name that exists as a regular TZif file under `zoneinfo_dir`.
FormatError CheckTimezone(std::string_view name,
                          std::string_view zoneinfo_dir = "/usr/share/zoneinfo");
// "HH:MM" 00:00..23:59 (and 24:00 when allow_2400). Minutes since midnight on success.
std::optional<int> ParseHhmm(std::string_view text, bool allow_2400);
// "YYYY-MM-DD", a real date (years 1900..9999). Days since 1970-01-01 on success.
std::optional<int64_t> ParseDate(std::string_view text);
FormatError CheckUrl(std::string_view text);  // http/https, a host, <= 2048 bytes
FormatError CheckEmail(std::string_view text);
FormatError CheckLanguage(std::string_view text);
FormatError CheckSipUser(std::string_view text);
FormatError CheckDialString(std::string_view text);  // 0-9 * #

}  // namespace dialtone::model
