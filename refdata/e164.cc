#include "refdata/e164.h"

#include <phonenumbers/phonenumberutil.h>

#include <cctype>

namespace dialtone::refdata {
namespace {

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber's answer for a non-geographic calling code, and for "don't know".
bool IsNoRegion(const std::string& region) {
  return region.empty() || region == "ZZ" || region == "001";
}

}  // namespace

Result<E164> ParseE164(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (end > begin && IsAsciiSpace(text[end - 1])) --end;
  while (begin < end && IsAsciiSpace(text[begin])) ++begin;
  std::string_view number = text.substr(begin, end - begin);
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);

  if (number.empty()) return Status::InvalidArgument("phone number is empty; expected E.164 like +15551234567");
  for (char c : number) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("phone number '" + std::string(text) +
                                     "' must be E.164: an optional '+' then digits only");
    }
  }
  if (number.size() < 8 || number.size() > 15) {
    return Status::InvalidArgument("phone number '" + std::string(text) + "' must be E.164: 8 to 15 digits, has " +
                                   std::to_string(number.size()));
  }
  if (number.front() == '0') {
    return Status::InvalidArgument("phone number '" + std::string(text) +
                                   "' must be E.164: a country calling code cannot start with 0");
  }

  E164 parsed;
  parsed.digits = std::string(number);
  parsed.with_plus = "+" + parsed.digits;

  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber phone;
  if (util->Parse(parsed.with_plus, "ZZ", &phone) == PhoneNumberUtil::NO_PARSING_ERROR) {
    parsed.country_calling_code = phone.country_code();
    std::string region;
    util->GetRegionCodeForNumber(phone, &region);
    if (IsNoRegion(region)) util->GetRegionCodeForCountryCode(phone.country_code(), &region);
    if (!IsNoRegion(region)) parsed.region = region;
  }
  return parsed;
}

std::string CountryOfNumber(std::string_view e164) {
  auto parsed = ParseE164(e164);
  return parsed.ok() ? parsed->region : std::string();
}

}  // namespace dialtone::refdata
