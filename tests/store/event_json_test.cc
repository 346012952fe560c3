// JSON rendering of recorded events (events/json.h) and the envelope codec every log
// backend stores (events/event_types.h).
#define BOOST_TEST_MODULE event_json
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include <random>

#include "account.pb.h"
#include "envelope.pb.h"
#include <google/protobuf/stubs/logging.h>
#include "events/event_types.h"
#include "events/json.h"

namespace dialtone::events {
namespace {

RecordedEvent AccountCreatedEvent() {
  AccountCreated created;
  created.set_account_id("acc-1");
  created.set_parent_id("reseller-9");
  AccountSettings* settings = created.mutable_settings();
  settings->set_name("Acme");
  settings->set_brand_domain("acme.example");
  settings->set_max_in(5);
  settings->set_is_reseller(false);
  const EventData data = MakeEvent(kAccountCreated, created);

  RecordedEvent event;
  event.position = 42;
  event.stream = "account-acc-1";
  event.version = 1;
  event.type = data.type;
  event.time_ms = 1'700'000'000'123;
  event.event_id = "5b0c9a52-2f4e-4c36-9f63-3f1c2a1d0e77";
  event.payload = data.payload;
  return event;
}

BOOST_AUTO_TEST_CASE(AccountCreatedRendersTheEnvelopeAndDataWithProtoFieldNames) {
  const nlohmann::json j = ToJson(AccountCreatedEvent());
  BOOST_TEST(j["position"] == 42);
  BOOST_TEST(j["stream"] == "account-acc-1");
  BOOST_TEST(j["version"] == 1);
  BOOST_TEST(j["type"] == "account.created");
  BOOST_TEST(j["time_ms"] == 1'700'000'000'123);
  BOOST_TEST(j["event_id"] == "5b0c9a52-2f4e-4c36-9f63-3f1c2a1d0e77");
  BOOST_TEST(!j.contains("payload_base64"));
  BOOST_TEST_REQUIRE(j.contains("data"));
  const nlohmann::json& data = j["data"];
  BOOST_TEST(data["account_id"] == "acc-1");
  BOOST_TEST(data["parent_id"] == "reseller-9");
  BOOST_TEST(!data.contains("accountId"));
  BOOST_TEST(data["settings"]["name"] == "Acme");
  BOOST_TEST(data["settings"]["brand_domain"] == "acme.example");
  BOOST_TEST(!data["settings"].contains("brandDomain"));
  BOOST_TEST(data["settings"]["max_in"] == 5);
  // An explicitly present optional field renders even at its default value.
  BOOST_TEST(data["settings"]["is_reseller"] == false);
  BOOST_TEST(!data["settings"].contains("timezone"));
}

BOOST_AUTO_TEST_CASE(EmptyOptionalEnvelopeFieldsAreOmittedAndSetOnesRendered) {
  RecordedEvent event = AccountCreatedEvent();
  nlohmann::json j = ToJson(event);
  for (const char* field : {"causation_id", "correlation_id", "idempotency_key", "principal"}) {
    BOOST_TEST(!j.contains(field), field);
  }
  event.causation_id = "cause";
  event.correlation_id = "corr";
  event.idempotency_key = "key";
  event.principal = "admin";
  j = ToJson(event);
  BOOST_TEST(j["causation_id"] == "cause");
  BOOST_TEST(j["correlation_id"] == "corr");
  BOOST_TEST(j["idempotency_key"] == "key");
  BOOST_TEST(j["principal"] == "admin");
}

BOOST_AUTO_TEST_CASE(UnknownEventTypeRendersThePayloadAsBase64) {
  RecordedEvent event;
  event.position = 7;
  event.stream = "misc";
  event.version = 3;
  event.type = "thing.happened";
  event.payload = std::string("\x00\x01\xfe\xff", 4) + "dialtone";
  const nlohmann::json j = ToJson(event);
  BOOST_TEST(j["type"] == "thing.happened");
  BOOST_TEST(!j.contains("data"));
  BOOST_TEST(j["payload_base64"] == "AAH+/2RpYWx0b25l");
}

BOOST_AUTO_TEST_CASE(Base64PadsPayloadsWhoseLengthIsNotAMultipleOfThree) {
  RecordedEvent event;
  event.type = "thing.happened";
  const std::pair<std::string, std::string> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
  };
  for (const auto& [payload, encoded] : cases) {
    event.payload = payload;
    BOOST_TEST(ToJson(event)["payload_base64"] == encoded, "payload '" << payload << "'");
  }
}

BOOST_AUTO_TEST_CASE(KnownTypeWithUndecodablePayloadRendersBase64) {
  RecordedEvent event = AccountCreatedEvent();
  event.payload = "\xff\xff\xff";
  const nlohmann::json j = ToJson(event);
  BOOST_TEST(!j.contains("data"));
  BOOST_TEST(j["payload_base64"] == "////");
}

BOOST_AUTO_TEST_CASE(JsonLineIsOneLineHoldingTheSameJson) {
  const RecordedEvent event = AccountCreatedEvent();
  const std::string line = ToJsonLine(event);
  BOOST_TEST(line.find('\n') == std::string::npos);
  BOOST_TEST(nlohmann::json::parse(line) == ToJson(event));
}

BOOST_AUTO_TEST_CASE(EnvelopeRoundTripsEveryField) {
  RecordedEvent event = AccountCreatedEvent();
  event.causation_id = "cause";
  event.correlation_id = "corr";
  event.idempotency_key = "key";
  event.principal = "admin";
  auto decoded = DecodeEnvelope(EncodeEnvelope(event));
  BOOST_TEST_REQUIRE(decoded.ok(), decoded.status().ToString());
  BOOST_TEST((*decoded == event));
}

BOOST_AUTO_TEST_CASE(EnvelopeThatDoesNotDecodeIsCorruption) {
  auto decoded = DecodeEnvelope("\xff\xff\xff\xff");
  BOOST_TEST_REQUIRE(!decoded.ok());
  BOOST_TEST((decoded.status().code() == ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(PayloadParsesOnlyIntoTheMessageOfItsType) {
  const RecordedEvent event = AccountCreatedEvent();
  AccountCreated created;
  BOOST_TEST_REQUIRE(ParsePayload(event, &created).ok());
  BOOST_TEST(created.account_id() == "acc-1");
  AccountClosed closed;
  BOOST_TEST((ParsePayload(event, &closed).code() == ErrorCode::kInvalidArgument));
  RecordedEvent unknown = event;
  unknown.type = "thing.happened";
  BOOST_TEST((ParsePayload(unknown, &created).code() == ErrorCode::kInvalidArgument));
}


// The log's hand-written envelope codec must stay byte-identical to protobuf's generated
// serializer and decode exactly what protobuf decodes.
BOOST_AUTO_TEST_CASE(EnvelopeCodecMatchesProtobufOnRandomEvents) {
  std::mt19937_64 rng(20261122);
  auto text = [&](size_t max) {
    std::string s(rng() % (max + 1), ' ');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    RecordedEvent e;
    e.position = (i % 3 == 0) ? 0 : rng();
    e.stream = text(40);
    e.version = (i % 5 == 0) ? 0 : rng() >> (rng() % 64);
    e.type = text(20);
    e.time_ms = (i % 7 == 0) ? -static_cast<int64_t>(rng() >> 2) : static_cast<int64_t>(rng() >> 1);
    e.event_id = text(36);
    e.causation_id = text(10);
    e.correlation_id = text(10);
    e.idempotency_key = text(12);
    e.principal = text(8);
    e.payload = text(300);
    for (char& c : e.payload) c = static_cast<char>(rng());

    Envelope reference;
    reference.set_position(e.position);
    reference.set_stream(e.stream);
    reference.set_stream_version(e.version);
    reference.set_type(e.type);
    reference.set_time_ms(e.time_ms);
    reference.set_event_id(e.event_id);
    reference.set_causation_id(e.causation_id);
    reference.set_correlation_id(e.correlation_id);
    reference.set_idempotency_key(e.idempotency_key);
    reference.set_principal(e.principal);
    reference.set_payload(e.payload);
    std::string expected;
    BOOST_REQUIRE(reference.SerializeToString(&expected));

    const std::string encoded = EncodeEnvelope(e);
    BOOST_TEST_REQUIRE(encoded == expected);
    auto decoded = DecodeEnvelope(encoded);
    BOOST_TEST_REQUIRE(decoded.ok());
    BOOST_TEST_REQUIRE((*decoded == e));
  }
}

BOOST_AUTO_TEST_CASE(EnvelopeDecoderRejectsWhatProtobufRejects) {
  google::protobuf::LogSilencer quiet;  // protobuf logs each rejected UTF-8 string
  RecordedEvent e = AccountCreatedEvent();
  const std::string good = EncodeEnvelope(e);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    const size_t cut = rng() % (bytes.size() + 1);
    if (i % 2 == 0) {
      bytes.resize(cut);
    } else if (!bytes.empty()) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    Envelope reference;
    const bool protobuf_ok = reference.ParseFromString(bytes);
    auto decoded = DecodeEnvelope(bytes);
    BOOST_TEST_REQUIRE(decoded.ok() == protobuf_ok);
    if (protobuf_ok) {
      BOOST_TEST(decoded->stream == reference.stream());
      BOOST_TEST(decoded->payload == reference.payload());
      BOOST_TEST(decoded->position == reference.position());
    }
  }
}

}  // namespace
}  // namespace dialtone::events
