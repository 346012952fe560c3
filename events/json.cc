#include "events/json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "events/event_types.h"

namespace dialtone::events {
namespace {

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += (i + 1 < in.size()) ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Decodes the payload into JSON via the generated descriptor pool; nullopt on failure.
bool PayloadToJson(const RecordedEvent& event, nlohmann::json* out) {
  const EventTypeInfo* info = FindEventType(event.type);
  if (info == nullptr) return false;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* descriptor = pool->FindMessageTypeByName(std::string(info->message_name));
  if (descriptor == nullptr) return false;
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromString(event.payload)) return false;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*message, &json, options).ok()) return false;
  *out = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  return !out->is_discarded();
}

}  // namespace

nlohmann::json ToJson(const RecordedEvent& e) {
  nlohmann::json j = {
      {"position", e.position},
      {"stream", e.stream},
      {"version", e.version},
      {"type", e.type},
      {"time_ms", e.time_ms},
      {"event_id", e.event_id},
  };
  if (!e.causation_id.empty()) j["causation_id"] = e.causation_id;
  if (!e.correlation_id.empty()) j["correlation_id"] = e.correlation_id;
  if (!e.idempotency_key.empty()) j["idempotency_key"] = e.idempotency_key;
  if (!e.principal.empty()) j["principal"] = e.principal;
  nlohmann::json data;
  if (PayloadToJson(e, &data)) {
    j["data"] = std::move(data);
  } else {
    j["payload_base64"] = Base64(e.payload);
  }
  return j;
}

std::string ToJsonLine(const RecordedEvent& event) { return ToJson(event).dump(); }

}  // namespace dialtone::events
