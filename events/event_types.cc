#include "events/event_types.h"

#include <cassert>

#include "account.pb.h"
#include "envelope.pb.h"
#include "resource.pb.h"

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

std::string EncodeEnvelope(const RecordedEvent& e) {
  Envelope env;
  env.set_position(e.position);
  env.set_stream(e.stream);
  env.set_stream_version(e.version);
  env.set_type(e.type);
  env.set_time_ms(e.time_ms);
  env.set_event_id(e.event_id);
  env.set_causation_id(e.causation_id);
  env.set_correlation_id(e.correlation_id);
  env.set_idempotency_key(e.idempotency_key);
  env.set_principal(e.principal);
  env.set_payload(e.payload);
  std::string out;
  env.SerializeToString(&out);
  return out;
}

Result<RecordedEvent> DecodeEnvelope(std::string_view bytes) {
  Envelope env;
  if (!env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption("event envelope does not decode");
  }
  RecordedEvent e;
  e.position = env.position();
  e.stream = std::move(*env.mutable_stream());
  e.version = env.stream_version();
  e.type = std::move(*env.mutable_type());
  e.time_ms = env.time_ms();
  e.event_id = std::move(*env.mutable_event_id());
  e.causation_id = std::move(*env.mutable_causation_id());
  e.correlation_id = std::move(*env.mutable_correlation_id());
  e.idempotency_key = std::move(*env.mutable_idempotency_key());
  e.principal = std::move(*env.mutable_principal());
  e.payload = std::move(*env.mutable_payload());
  return e;
}

}  // namespace dialtone::events
