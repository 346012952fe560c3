// E.164 numbers: parsing, country calling code and ISO region (libphonenumber).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace dialtone::refdata {

struct E164 {
  std::string digits;     // "15551234567" — no '+'
  std::string with_plus;  // "+15551234567"
  // The ITU country calling code the digits start with (1, 44, 800, …); 0 when no assigned
  // calling code prefixes the digits.
  int country_calling_code = 0;
  // ISO 3166-1 alpha-2 region: the region of the number when libphonenumber knows it
  // (+1 416… → CA), otherwise the main region of its calling code (+1 555… → US).
  // "" for non-geographic calling codes (+800, +882, … — libphonenumber's "001") and for
  // unassigned calling codes.
  std::string region;
};

// Accepts "+<digits>" or "<digits>": 8..15 digits, the first not 0, nothing else.
// Surrounding ASCII whitespace is ignored, and a leading space standing where the '+' was
// is accepted (form decoding of a query string turns an unescaped '+' into a space).
// Errors are kInvalidArgument with a message naming the problem.
Result<E164> ParseE164(std::string_view text);

// The ISO region of an E.164 number as ParseE164 gives it; "" when the text does not parse
// or the number has no region.
std::string CountryOfNumber(std::string_view e164);

}  // namespace dialtone::refdata
