// Webhook signatures: `x-sipio-signature: sha256=<lowercase hex HMAC-SHA256(secret, body)>`,
// computed over the exact bytes of the request body.
#pragma once

#include <string>
#include <string_view>

namespace dialtone::webhooks {

inline constexpr std::string_view kEventHeader = "x-sipio-event";
inline constexpr std::string_view kSignatureHeader = "x-sipio-signature";
inline constexpr std::string_view kDeliveryHeader = "x-sipio-delivery";
inline constexpr std::string_view kUserAgent = "dialtone-webhooks/1";
inline constexpr std::string_view kSignaturePrefix = "sha256=";

// "sha256=" followed by the 64 lowercase hex digits of HMAC-SHA256 keyed with `secret`.
std::string SignBody(std::string_view secret, std::string_view body);

// True when `signature` is "sha256=" followed by 64 hex digits (either case) equal to the
// HMAC-SHA256 of `body` under `secret`. The digest comparison takes constant time; a
// malformed header is simply false.
bool VerifySignature(std::string_view secret, std::string_view body, std::string_view signature);

}  // namespace dialtone::webhooks
