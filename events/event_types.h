// The registry of event types: each type name maps to the protobuf message that is its
// payload. Adding an event type = a message in events/proto + one row in event_types.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "events/event.h"

namespace google::protobuf { class Message; }

namespace dialtone::events {

inline constexpr std::string_view kAccountCreated = "account.created";
inline constexpr std::string_view kAccountUpdated = "account.updated";
inline constexpr std::string_view kAccountSuspended = "account.suspended";
inline constexpr std::string_view kAccountReactivated = "account.reactivated";
inline constexpr std::string_view kAccountClosed = "account.closed";
inline constexpr std::string_view kResourceCreated = "resource.created";
inline constexpr std::string_view kResourceUpdated = "resource.updated";
inline constexpr std::string_view kResourceDeleted = "resource.deleted";
inline constexpr std::string_view kSecretStored = "secret.stored";
inline constexpr std::string_view kSecretDeleted = "secret.deleted";
inline constexpr std::string_view kApiKeyCreated = "apikey.created";
inline constexpr std::string_view kApiKeyRevoked = "apikey.revoked";
inline constexpr std::string_view kReservationClaimed = "reservation.claimed";
inline constexpr std::string_view kReservationReleased = "reservation.released";

struct EventTypeInfo {
  std::string_view type;          // e.g. "account.created"
  std::string_view message_name;  // fully qualified protobuf name
};

// nullptr when the type is not registered.
const EventTypeInfo* FindEventType(std::string_view type);
const std::vector<EventTypeInfo>& AllEventTypes();

// Builds EventData of `type` carrying `message` serialized. Asserts that `type` is
// registered for that message (a mismatch is a programming error).
EventData MakeEvent(std::string_view type, const google::protobuf::Message& message);

// Parses the payload of `event` into `message`; an error if the type does not match
// the message or the bytes do not decode.
Status ParsePayload(const RecordedEvent& event, google::protobuf::Message* message);

// Envelope codec used by every log backend (the on-disk/on-wire form).
std::string EncodeEnvelope(const RecordedEvent& event);
Result<RecordedEvent> DecodeEnvelope(std::string_view bytes);

}  // namespace dialtone::events
