// SIP digest (RFC 2617 / 3261) credential hashes for devices.
#pragma once

#include <string>
#include <string_view>

namespace dialtone::model {

// Lowercase hex MD5 of `data`.
std::string Md5Hex(std::string_view data);
// ha1 = MD5(username ":" realm ":" password).
std::string DigestHa1(std::string_view username, std::string_view realm, std::string_view password);
// ha1b = MD5(username "@" realm ":" realm ":" password) (clients that send user@realm).
std::string DigestHa1b(std::string_view username, std::string_view realm, std::string_view password);

}  // namespace dialtone::model
