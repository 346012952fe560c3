// Base64 (RFC 4648 §4, with padding) and base64url (§5, without padding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone {

std::string Base64Encode(std::string_view bytes);
// nullopt for a character outside the alphabet; trailing '=' padding is optional.
std::optional<std::string> Base64Decode(std::string_view text);

std::string Base64UrlEncode(std::string_view bytes);
// nullopt for a character outside the URL-safe alphabet or any '='.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace dialtone
