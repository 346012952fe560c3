#include "events/event_types.h"

#include <cassert>
#include <cstring>
#include <limits>

#include "account.pb.h"
#include "call.pb.h"
#include "envelope.pb.h"
#include "platform.pb.h"
#include "resource.pb.h"
#include "webhook.pb.h"

namespace dialtone::events {

const std::vector<EventTypeInfo>& AllEventTypes() {
  static const std::vector<EventTypeInfo> kTypes = {
      {kAccountCreated, "dialtone.events.AccountCreated"},
      {kAccountUpdated, "dialtone.events.AccountUpdated"},
      {kAccountSuspended, "dialtone.events.AccountSuspended"},
      {kAccountReactivated, "dialtone.events.AccountReactivated"},
      {kAccountClosed, "dialtone.events.AccountClosed"},
      {kResourceCreated, "dialtone.events.ResourceCreated"},
      {kResourceUpdated, "dialtone.events.ResourceUpdated"},
      {kResourceDeleted, "dialtone.events.ResourceDeleted"},
      {kSecretStored, "dialtone.events.SecretStored"},
      {kSecretDeleted, "dialtone.events.SecretDeleted"},
      {kApiKeyCreated, "dialtone.events.ApiKeyCreated"},
      {kApiKeyRevoked, "dialtone.events.ApiKeyRevoked"},
      {kReservationClaimed, "dialtone.events.ReservationClaimed"},
      {kReservationReleased, "dialtone.events.ReservationReleased"},
      {kCallStarted, "dialtone.events.CallStarted"},
      {kCallAnswered, "dialtone.events.CallAnswered"},
      {kCallEnded, "dialtone.events.CallEnded"},
      {kWebhookAttempted, "dialtone.events.WebhookAttempted"},
      {kTokenKeyCreated, "dialtone.events.TokenKeyCreated"},
  };
  return kTypes;
}

const EventTypeInfo* FindEventType(std::string_view type) {
  for (const auto& info : AllEventTypes()) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

EventData MakeEvent(std::string_view type, const google::protobuf::Message& message) {
  [[maybe_unused]] const EventTypeInfo* info = FindEventType(type);
  assert(info != nullptr && info->message_name == message.GetDescriptor()->full_name());
  EventData data;
  data.type = std::string(type);
  message.SerializeToString(&data.payload);
  return data;
}

Status ParsePayload(const RecordedEvent& event, google::protobuf::Message* message) {
  const EventTypeInfo* info = FindEventType(event.type);
  if (info == nullptr) return Status::InvalidArgument("unknown event type '" + event.type + "'");
  if (info->message_name != message->GetDescriptor()->full_name()) {
    return Status::InvalidArgument("event type '" + event.type + "' is not a " +
                                   message->GetDescriptor()->full_name());
  }
  if (!message->ParseFromString(event.payload)) {
    return Status::Corruption("payload of event at position " + std::to_string(event.position) +
                              " does not decode as " + std::string(info->message_name));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Envelope codec. The hot paths (the log's committer, reads, replay) encode and decode the
// protobuf wire format of Envelope directly; protobuf's generated parser remains the
// reference and decides every input the direct decoder does not recognise.

namespace {

// Field numbers of proto/envelope.proto.
enum EnvelopeField : uint32_t {
  kPositionField = 1,
  kStreamField = 2,
  kVersionField = 3,
  kTypeField = 4,
  kTimeField = 5,
  kEventIdField = 6,
  kCausationIdField = 7,
  kCorrelationIdField = 8,
  kIdempotencyKeyField = 9,
  kPrincipalField = 10,
  kPayloadField = 11,
};
constexpr uint8_t kVarintWire = 0;
constexpr uint8_t kLengthWire = 2;
// Every field number fits in a one-byte tag.
constexpr uint8_t Tag(EnvelopeField field, uint8_t wire) {
  return static_cast<uint8_t>(field << 3 | wire);
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// proto3 omits fields at their default value; the size of one present field.
size_t VarintFieldSize(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }
size_t StringFieldSize(std::string_view s) {
  return s.empty() ? 0 : 1 + VarintSize(s.size()) + s.size();
}

char* PutVarintField(char* p, EnvelopeField field, uint64_t v) {
  if (v == 0) return p;
  *p++ = static_cast<char>(Tag(field, kVarintWire));
  return PutVarint(p, v);
}

char* PutStringField(char* p, EnvelopeField field, std::string_view s) {
  if (s.empty()) return p;
  *p++ = static_cast<char>(Tag(field, kLengthWire));
  p = PutVarint(p, s.size());
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Reads a varint of at most 10 bytes whose value fits 64 bits; false otherwise (the
// reference parser then decides).
bool GetVarint(const char*& p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    if (shift == 63 && byte > 1) return false;
    result |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool IsAscii(const char* p, size_t n) {
  uint64_t high_bits = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    high_bits |= word;
  }
  for (; i < n; ++i) high_bits |= static_cast<uint8_t>(p[i]);
  return (high_bits & 0x8080808080808080ull) == 0;
}

// A length-delimited field into `out`. `check_utf8`: proto3 `string` fields must be UTF-8;
// only ASCII is accepted here, anything else goes to the reference parser.
bool GetString(const char*& p, const char* end, bool check_utf8, std::string* out) {
  uint64_t size = 0;
  if (!GetVarint(p, end, &size) || size > static_cast<uint64_t>(end - p)) return false;
  if (check_utf8 && !IsAscii(p, size)) return false;
  out->assign(p, size);
  p += size;
  return true;
}

// Decodes the envelopes this codec writes (and any other well-formed envelope of known
// fields whose strings are ASCII). False means "not recognised", not "invalid".
bool DecodeDirect(std::string_view bytes, RecordedEvent* e) {
  e->position = 0;
  e->stream.clear();
  e->version = 0;
  e->type.clear();
  e->time_ms = 0;
  e->event_id.clear();
  e->causation_id.clear();
  e->correlation_id.clear();
  e->idempotency_key.clear();
  e->principal.clear();
  e->payload.clear();
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    const auto tag = static_cast<uint8_t>(*p++);
    uint64_t value = 0;
    switch (tag) {
      case Tag(kPositionField, kVarintWire):
        if (!GetVarint(p, end, &e->position)) return false;
        break;
      case Tag(kVersionField, kVarintWire):
        if (!GetVarint(p, end, &e->version)) return false;
        break;
      case Tag(kTimeField, kVarintWire):
        if (!GetVarint(p, end, &value)) return false;
        e->time_ms = static_cast<int64_t>(value);
        break;
      case Tag(kStreamField, kLengthWire):
        if (!GetString(p, end, true, &e->stream)) return false;
        break;
      case Tag(kTypeField, kLengthWire):
        if (!GetString(p, end, true, &e->type)) return false;
        break;
      case Tag(kEventIdField, kLengthWire):
        if (!GetString(p, end, true, &e->event_id)) return false;
        break;
      case Tag(kCausationIdField, kLengthWire):
        if (!GetString(p, end, true, &e->causation_id)) return false;
        break;
      case Tag(kCorrelationIdField, kLengthWire):
        if (!GetString(p, end, true, &e->correlation_id)) return false;
        break;
      case Tag(kIdempotencyKeyField, kLengthWire):
        if (!GetString(p, end, true, &e->idempotency_key)) return false;
        break;
      case Tag(kPrincipalField, kLengthWire):
        if (!GetString(p, end, true, &e->principal)) return false;
        break;
      case Tag(kPayloadField, kLengthWire):
        if (!GetString(p, end, false, &e->payload)) return false;
        break;
      default:
        return false;  // unknown field, other wire type, multi-byte tag: the reference decides
    }
  }
  return true;
}

}  // namespace

void EncodeEnvelope(const EnvelopeView& e, std::string* out) {
  const size_t size = VarintFieldSize(e.position) + StringFieldSize(e.stream) +
                      VarintFieldSize(e.version) + StringFieldSize(e.type) +
                      VarintFieldSize(static_cast<uint64_t>(e.time_ms)) +
                      StringFieldSize(e.event_id) + StringFieldSize(e.causation_id) +
                      StringFieldSize(e.correlation_id) + StringFieldSize(e.idempotency_key) +
                      StringFieldSize(e.principal) + StringFieldSize(e.payload);
  out->resize(size);
  char* p = out->data();
  p = PutVarintField(p, kPositionField, e.position);
  p = PutStringField(p, kStreamField, e.stream);
  p = PutVarintField(p, kVersionField, e.version);
  p = PutStringField(p, kTypeField, e.type);
  p = PutVarintField(p, kTimeField, static_cast<uint64_t>(e.time_ms));
  p = PutStringField(p, kEventIdField, e.event_id);
  p = PutStringField(p, kCausationIdField, e.causation_id);
  p = PutStringField(p, kCorrelationIdField, e.correlation_id);
  p = PutStringField(p, kIdempotencyKeyField, e.idempotency_key);
  p = PutStringField(p, kPrincipalField, e.principal);
  p = PutStringField(p, kPayloadField, e.payload);
  assert(p == out->data() + out->size());
}

void EncodeEnvelope(const RecordedEvent& e, std::string* out) {
  EncodeEnvelope(EnvelopeView{e.position, e.stream, e.version, e.type, e.time_ms, e.event_id,
                              e.causation_id, e.correlation_id, e.idempotency_key, e.principal,
                              e.payload},
                 out);
}

std::string EncodeEnvelope(const RecordedEvent& e) {
  std::string out;
  EncodeEnvelope(e, &out);
  return out;
}

Status DecodeEnvelopeInto(std::string_view bytes, RecordedEvent* e) {
  if (DecodeDirect(bytes, e)) return Status::Ok();
  // The reference parser: unknown fields, non-ASCII strings (UTF-8 is checked here), and
  // anything malformed.
  thread_local Envelope env;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption("event envelope does not decode");
  }
  e->position = env.position();
  e->stream = env.stream();
  e->version = env.stream_version();
  e->type = env.type();
  e->time_ms = env.time_ms();
  e->event_id = env.event_id();
  e->causation_id = env.causation_id();
  e->correlation_id = env.correlation_id();
  e->idempotency_key = env.idempotency_key();
  e->principal = env.principal();
  e->payload = env.payload();
  return Status::Ok();
}

Result<RecordedEvent> DecodeEnvelope(std::string_view bytes) {
  RecordedEvent e;
  if (Status s = DecodeEnvelopeInto(bytes, &e); !s.ok()) return s;
  return e;
}

}  // namespace dialtone::events
