#include "model/formats.h"

#include "refdata/timezones.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <regex>
#include <string>

#include <phonenumbers/phonenumberutil.h>

namespace dialtone::model {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<int> ParseSmallInt(std::string_view s) {
  if (!AllDigits(s) || s.size() > 9) return std::nullopt;
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
}

// A DNS label: 1..63 of [A-Za-z0-9-], not starting or ending with '-'.
bool IsLabel(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l) {
    if (!IsHostChar(c)) return false;
  }
  return true;
}

// Host names with `min_labels` or more labels; the last label is not all digits.
bool IsHostName(std::string_view s, int min_labels) {
  if (s.empty() || s.size() > 253) return false;
  int labels = 0;
  std::string_view last;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!IsLabel(label)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= min_labels && !AllDigits(last);
}

}  // namespace

FormatError CheckE164(std::string_view digits) {
  if (!digits.empty() && digits.front() == '+') return "must be E.164 digits without '+'";
  if (!AllDigits(digits)) return "must be E.164: digits only";
  if (digits.size() < 8 || digits.size() > 15) return "must be E.164: 8 to 15 digits";
  if (digits.front() == '0') return "must be E.164: a country code cannot start with 0";
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse("+" + std::string(digits), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return "must be E.164: unknown country code";
  }
  switch (util->IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE:
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      return std::nullopt;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return "must be E.164: unknown country code";
    case PhoneNumberUtil::TOO_SHORT:
      return "must be E.164: too short for its country code";
    case PhoneNumberUtil::TOO_LONG:
      return "must be E.164: too long for its country code";
    default:
      return "must be E.164: not a possible length for its country code";
  }
}

std::string RegionOfE164(std::string_view digits) {
  if (!AllDigits(digits)) return "";
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse("+" + std::string(digits), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return "";
  }
  std::string region;
  util->GetRegionCodeForNumber(number, &region);
  if (region.empty() || region == "ZZ" || region == "001") {
    util->GetRegionCodeForCountryCode(number.country_code(), &region);
  }
  return region == "ZZ" || region == "001" ? "" : region;
}

bool IsIpv4(std::string_view text) {
  if (text.size() > 15) return false;
  std::string s(text);
  in_addr a4{};
  return inet_pton(AF_INET, s.c_str(), &a4) == 1;
}

FormatError CheckIp(std::string_view text) {
  if (text.size() > 45) return "must be an IPv4 or IPv6 address";
  std::string s(text);
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1 || inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    return std::nullopt;
  }
  return "must be an IPv4 or IPv6 address";
}

FormatError CheckCidr(std::string_view text, std::string* canonical) {
  constexpr const char* kMessage = "must be a CIDR network (e.g. 203.0.113.0/24 or 2001:db8::/32)";
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  if (CheckIp(addr)) return kMessage;
  int max_bits = IsIpv4(addr) ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    auto parsed = ParseSmallInt(text.substr(slash + 1));
    if (!parsed || *parsed > max_bits || text.size() - slash - 1 > 3) return kMessage;
    bits = *parsed;
  }
  if (canonical) *canonical = std::string(addr) + "/" + std::to_string(bits);
  return std::nullopt;
}

FormatError CheckHost(std::string_view text) {
  if (!CheckIp(text)) return std::nullopt;
  if (IsHostName(text, 1)) return std::nullopt;
  return "must be an IP address or a host name";
}

FormatError CheckHostPort(std::string_view text) {
  constexpr const char* kMessage = "must be host or host:port (IPv6 as [addr]:port)";
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return kMessage;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return kMessage;
      port = rest.substr(1);
      if (port.empty()) return kMessage;
    }
    if (CheckIp(host) || IsIpv4(host)) return kMessage;
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      if (text.find(':', colon + 1) != std::string_view::npos) return kMessage;  // bare IPv6
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty()) return kMessage;
    }
    if (CheckHost(host)) return kMessage;
  }
  if (!port.empty()) {
    auto p = ParseSmallInt(port);
    if (!p || *p < 1 || *p > 65535) return "port must be 1..65535";
  }
  return std::nullopt;
}

FormatError CheckDomain(std::string_view text) {
  if (IsHostName(text, 2)) return std::nullopt;
  return "must be a domain name (e.g. pbx.example.com)";
}

FormatError CheckDnsLabel(std::string_view text) {
  if (IsLabel(text)) return std::nullopt;
  return "must be one DNS label: 1-63 letters, digits or '-', not starting or ending with '-'";
}

FormatError CheckRegex(std::string_view pattern) {
  if (pattern.empty()) return "must be a non-empty regular expression";
  if (pattern.size() > kMaxRegexLength) {
    return "must be at most " + std::to_string(kMaxRegexLength) + " bytes";
  }
  try {
    std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::string("must be a valid ECMAScript regular expression: ") + e.what();
  }
  return std::nullopt;
}

FormatError CheckTimezone(std::string_view name, std::string_view zoneinfo_dir) {
  if (refdata::IsIanaTimeZone(name, zoneinfo_dir)) return std::nullopt;
  return "must be an IANA time zone (e.g. Europe/Paris)";
}

std::optional<int> ParseHhmm(std::string_view text, bool allow_2400) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto h = ParseSmallInt(text.substr(0, 2));
  auto m = ParseSmallInt(text.substr(3, 2));
  if (!h || !m) return std::nullopt;
  if (*h == 24 && *m == 0 && allow_2400) return 24 * 60;
  if (*h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

std::optional<int64_t> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = ParseSmallInt(text.substr(0, 4));
  auto m = ParseSmallInt(text.substr(5, 2));
  auto d = ParseSmallInt(text.substr(8, 2));
  if (!y || !m || !d || *y < 1900 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  int month_days = kDays[*m - 1] + ((*m == 2 && leap) ? 1 : 0);
  if (*d > month_days) return std::nullopt;
  // Days from civil (H. Hinnant's algorithm).
  int64_t yy = *y - (*m <= 2 ? 1 : 0);
  int64_t era = yy / 400;
  int64_t yoe = yy - era * 400;
  int64_t mp = (*m + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + *d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

FormatError CheckUrl(std::string_view text) {
  constexpr const char* kMessage = "must be an http:// or https:// URL with a host";
  if (text.size() > 2048) return "must be at most 2048 bytes";
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return kMessage;
  }
  std::string_view rest;
  if (text.substr(0, 7) == "http://") {
    rest = text.substr(7);
  } else if (text.substr(0, 8) == "https://") {
    rest = text.substr(8);
  } else {
    return kMessage;
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty() || CheckHostPort(authority)) return kMessage;
  return std::nullopt;
}

FormatError CheckEmail(std::string_view text) {
  constexpr const char* kMessage = "must be an email address (local@domain)";
  size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || text.find('@', at + 1) != text.npos) {
    return kMessage;
  }
  for (char c : text.substr(0, at)) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos)) {
      return kMessage;
    }
  }
  std::string_view local = text.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return kMessage;
  if (!IsHostName(text.substr(at + 1), 2)) return kMessage;
  return std::nullopt;
}

FormatError CheckLanguage(std::string_view text) {
  constexpr const char* kMessage = "must be a language tag like en or en-US";
  auto alpha = [](std::string_view s, bool upper) {
    for (char c : s) {
      if (upper ? !(c >= 'A' && c <= 'Z') : !(c >= 'a' && c <= 'z')) return false;
    }
    return true;
  };
  size_t dash = text.find('-');
  std::string_view lang = text.substr(0, dash);
  if (lang.size() < 2 || lang.size() > 3 || !alpha(lang, false)) return kMessage;
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view region = text.substr(dash + 1);
  if (region.size() != 2 || !alpha(region, true)) return kMessage;
  return std::nullopt;
}

FormatError CheckSipUser(std::string_view text) {
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '~' ||
          c == '+' || c == '-')) {
      return "may contain only letters, digits and . _ ~ + -";
    }
  }
  return std::nullopt;
}

FormatError CheckDialString(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) return "may contain only 0-9, * and #";
  }
  return std::nullopt;
}

}  // namespace dialtone::model
