// The registry of event types: each type name maps to the protobuf message that is its
// payload. Adding an event type = a message in events/proto + one row in event_types.cc.
#pragma once

#include <cstdint>
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
// Call records (stream "call-<call_id>", proto/call.proto).
inline constexpr std::string_view kCallStarted = "call.started";
inline constexpr std::string_view kCallAnswered = "call.answered";
inline constexpr std::string_view kCallEnded = "call.ended";
inline constexpr std::string_view kWebhookAttempted = "webhook.attempted";
// Platform facts (proto/platform.proto).
inline constexpr std::string_view kTokenKeyCreated = "platform.token_key_created";

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

// Envelope codec used by every log backend (the on-disk/on-wire form): the protobuf
// message dialtone.events.Envelope (proto/envelope.proto). Encoding is deterministic and
// byte-identical to protobuf's own serialization (fields in number order, defaults
// omitted); decoding accepts exactly what protobuf accepts.
std::string EncodeEnvelope(const RecordedEvent& event);
Result<RecordedEvent> DecodeEnvelope(std::string_view bytes);

// The fields of one envelope, borrowed: lets a writer encode without first copying its
// strings into a RecordedEvent. The views must outlive the EncodeEnvelope call.
struct EnvelopeView {
  uint64_t position = 0;
  std::string_view stream;
  uint64_t version = 0;
  std::string_view type;
  int64_t time_ms = 0;
  std::string_view event_id;
  std::string_view causation_id;
  std::string_view correlation_id;
  std::string_view idempotency_key;
  std::string_view principal;
  std::string_view payload;
};

// Replaces `*out` with the envelope's bytes (the same bytes as EncodeEnvelope), reusing
// its storage: no allocation once `out` has grown to the usual envelope size.
void EncodeEnvelope(const EnvelopeView& event, std::string* out);
void EncodeEnvelope(const RecordedEvent& event, std::string* out);

// Decodes `bytes` into `*out`, reusing the storage of its strings: decoding a stream of
// envelopes into the same RecordedEvent (or into the slots of a reused vector) allocates
// nothing once the strings have grown. Every field of `*out` is overwritten, so the
// result equals DecodeEnvelope(bytes). On error (kCorruption) `*out` holds unspecified
// field values.
Status DecodeEnvelopeInto(std::string_view bytes, RecordedEvent* out);

}  // namespace dialtone::events
