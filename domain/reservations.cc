#include "domain/reservations.h"

#include "domain/rules_internal.h"
#include "events/event_types.h"
#include "resource.pb.h"

namespace dialtone::domain {

namespace {

using events::EventData;
using events::RecordedEvent;
using internal::WithContext;

Result<events::ReservationClaimed> ParseClaim(const RecordedEvent& e) {
  events::ReservationClaimed claim;
  if (!claim.ParseFromString(e.payload)) {
    return Status::Corruption("reservation stream '" + e.stream + "' holds an undecodable claim");
  }
  return claim;
}

bool SameHolder(const events::ReservationClaimed& claim, const Reservation& r) {
  return claim.account_id() == r.account_id && claim.kind() == r.kind &&
         claim.resource_id() == r.resource_id;
}

}  // namespace

std::string ReservationStream(const Reservation& reservation) {
  return "unique-" + reservation.scope + "-" + reservation.value;
}

Result<std::vector<EventData>> DecideClaim(const std::optional<RecordedEvent>& last,
                                           const Reservation& reservation,
                                           const commands::CommandContext& context) {
  if (last && last->type == events::kReservationClaimed) {
    Result<events::ReservationClaimed> claim = ParseClaim(*last);
    if (!claim.ok()) return claim.status();
    if (SameHolder(*claim, reservation)) return std::vector<EventData>{};
    return Status::AlreadyExists(reservation.scope + " '" + reservation.value +
                                 "' is already taken");
  }
  events::ReservationClaimed claimed;
  claimed.set_scope(reservation.scope);
  claimed.set_value(reservation.value);
  claimed.set_account_id(reservation.account_id);
  claimed.set_kind(reservation.kind);
  claimed.set_resource_id(reservation.resource_id);
  return std::vector<EventData>{
      WithContext(events::MakeEvent(events::kReservationClaimed, claimed), context)};
}

std::vector<EventData> DecideRelease(const std::optional<RecordedEvent>& last,
                                     const Reservation& reservation,
                                     const commands::CommandContext& context) {
  if (!last || last->type != events::kReservationClaimed) return {};
  Result<events::ReservationClaimed> claim = ParseClaim(*last);
  if (!claim.ok() || !SameHolder(*claim, reservation)) return {};
  events::ReservationReleased released;
  released.set_scope(reservation.scope);
  released.set_value(reservation.value);
  released.set_account_id(reservation.account_id);
  released.set_resource_id(reservation.resource_id);
  return {WithContext(events::MakeEvent(events::kReservationReleased, released), context)};
}

}  // namespace dialtone::domain
