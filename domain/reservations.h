// Platform-wide unique values (model::UniqueKeys of scope kPlatform, e.g. a domain or an
// E.164 number): each is claimed in its own stream "unique-<scope>-<value>" before the
// resource event that holds it is appended, and released after the resource stops
// holding it. The account actor runs these plans as side appends (actors/README.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "commands/account_commands.h"
#include "common/status.h"
#include "events/event.h"

namespace dialtone::domain {

// A platform-wide unique value held by one resource.
struct Reservation {
  std::string scope;        // the unique key family, e.g. "domain", "e164"
  std::string value;
  std::string account_id;   // the holder
  std::string kind;
  std::string resource_id;
  bool operator==(const Reservation&) const = default;
};

// "unique-<scope>-<value>".
std::string ReservationStream(const Reservation& reservation);

// Decided against the last event of the reservation's stream (nullopt: the stream has
// none). A claim appends reservation.claimed unless the same resource already holds the
// value (nothing to append); a value held by another resource is kAlreadyExists
// "<scope> '<value>' is already taken". A release appends reservation.released only if
// the same resource holds the value.
Result<std::vector<events::EventData>> DecideClaim(const std::optional<events::RecordedEvent>& last,
                                                   const Reservation& reservation,
                                                   const commands::CommandContext& context);
std::vector<events::EventData> DecideRelease(const std::optional<events::RecordedEvent>& last,
                                             const Reservation& reservation,
                                             const commands::CommandContext& context);

}  // namespace dialtone::domain
