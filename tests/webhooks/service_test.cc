// The webhook service over a real log (memory or RocksDB) and a real local receiver: call
// events become signed deliveries to the webhooks that exist and are enabled at that
// point of the log, failures are retried, every attempt is recorded in the log, and a
// restart resumes exactly the deliveries that were not finished.
#define BOOST_TEST_MODULE webhooks_service
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "domain/secret_box.h"
#include "call.pb.h"
#include "events/event_types.h"
#include "resource.pb.h"
#include "store/rocksdb_log.h"
#include "test_receiver.h"
#include "webhook.pb.h"
#include "webhooks/clock.h"
#include "webhooks/service.h"
#include "webhooks/signature.h"

namespace dialtone::webhooks {
namespace {

using Json = nlohmann::json;
using testing::Reply;
using testing::TestReceiver;

constexpr auto kPatience = std::chrono::seconds(20);
const std::string kNodeKey(32, 'n');
constexpr const char* kAccount = "acme";

events::EventData WebhookEvent(bool created, const std::string& id, const std::string& url, const std::string& ref,
                               bool enabled, Json events, uint64_t revision = 1) {
  const Json doc = {{"id", id}, {"account_id", kAccount}, {"url", url}, {"secret_ref", ref},
                    {"enabled", enabled ? 1 : 0}, {"events", std::move(events)}};
  if (created) {
    events::ResourceCreated m;
    m.set_account_id(kAccount);
    m.set_kind("webhook");
    m.set_id(id);
    m.set_document(doc.dump());
    m.set_revision(revision);
    return events::MakeEvent(events::kResourceCreated, m);
  }
  events::ResourceUpdated m;
  m.set_account_id(kAccount);
  m.set_kind("webhook");
  m.set_id(id);
  m.set_document(doc.dump());
  m.set_revision(revision);
  return events::MakeEvent(events::kResourceUpdated, m);
}

events::EventData SecretEvent(const std::string& ref, const std::string& value) {
  auto sealed = domain::SealSecret(kNodeKey, value, domain::SecretAad(kAccount, ref));
  BOOST_REQUIRE(sealed.ok());
  events::SecretStored m;
  m.set_account_id(kAccount);
  m.set_ref(ref);
  m.set_nonce(sealed->nonce);
  m.set_ciphertext(sealed->ciphertext);
  return events::MakeEvent(events::kSecretStored, m);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A will_retry record of attempt `attempt` of the delivery of the event at `position`.
events::EventData WillRetryRecord(uint64_t position, int attempt, int64_t next_attempt_ms) {
  events::WebhookAttempted failed;
  failed.set_delivery_id("dlv-" + std::to_string(position) + "-whk_1");
  failed.set_webhook_id("whk_1");
  failed.set_account_id(kAccount);
  failed.set_event("call.started");
  failed.set_attempt(attempt);
  failed.set_http_status(500);
  failed.set_outcome("will_retry");
  failed.set_next_attempt_ms(next_attempt_ms);
  return events::MakeEvent(events::kWebhookAttempted, failed);
}

// A log that notes the stream and expected version of every append made through it (the
// service's), and forwards everything to the real log.
class RecordingLog final : public store::EventLog {
 public:
  struct Noted {
    std::string stream;
    store::ExpectedVersion expected;
  };
  explicit RecordingLog(store::EventLog& inner) : inner_(inner) {}
  std::vector<Noted> appends() const {
    std::lock_guard lock(mu_);
    return appends_;
  }
  void AppendAsync(store::AppendRequest request, store::AppendCallback done) override {
    {
      std::lock_guard lock(mu_);
      appends_.push_back({request.stream, request.expected});
    }
    inner_.AppendAsync(std::move(request), std::move(done));
  }
  Result<store::RecordedEvents> ReadStream(std::string_view stream, const store::ReadStreamOptions& o) const override {
    return inner_.ReadStream(stream, o);
  }
  Result<store::RecordedEvents> ReadAll(const store::ReadAllOptions& o) const override { return inner_.ReadAll(o); }
  uint64_t HeadPosition() const override { return inner_.HeadPosition(); }
  Result<uint64_t> StreamVersion(std::string_view stream) const override { return inner_.StreamVersion(stream); }
  Result<uint64_t, store::AppendError> DeleteStream(std::string_view stream, store::ExpectedVersion e) override {
    return inner_.DeleteStream(stream, e);
  }
  Status SaveSnapshot(std::string_view stream, const store::Snapshot& snapshot) override {
    return inner_.SaveSnapshot(stream, snapshot);
  }
  Result<std::optional<store::Snapshot>> LoadSnapshot(std::string_view stream) const override {
    return inner_.LoadSnapshot(stream);
  }
  uint64_t WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    return inner_.WaitForHeadAfter(position, timeout);
  }
  Status Close() override { return Status::Ok(); }  // the fixture closes the real log

 private:
  store::EventLog& inner_;
  mutable std::mutex mu_;
  std::vector<Noted> appends_;
};

class Fixture {
 public:
  Fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dialtone-webhook-service-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    OpenLog();
  }
  ~Fixture() {
    service_.reset();
    recording_.reset();
    if (log_) log_->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void OpenLog() {
    store::RocksDbLogOptions options;
    options.path = (dir_ / "log").string();
    options.durability = store::Durability::kAsync;
    auto log = store::OpenRocksDbLog(options);
    BOOST_REQUIRE_MESSAGE(log.ok(), log.status().ToString());
    log_ = std::move(*log);
    recording_ = std::make_unique<RecordingLog>(*log_);
  }
  void Reopen() {
    service_->Stop();
    service_.reset();
    recording_.reset();
    BOOST_REQUIRE(log_->Close().ok());
    OpenLog();
    StartService(last_options_);
  }

  static WebhookServiceOptions DefaultOptions() {
    WebhookServiceOptions options;
    options.secret_key = kNodeKey;
    options.dispatcher.retry.max_attempts = 3;
    options.dispatcher.retry.base_delay = std::chrono::milliseconds(20);
    options.dispatcher.retry.max_delay = std::chrono::milliseconds(40);
    options.dispatcher.http.timeout = std::chrono::seconds(5);
    return options;
  }
  void StartService(WebhookServiceOptions options = DefaultOptions()) {
    last_options_ = options;
    auto service = WebhookService::Start(*recording_, std::move(options));
    BOOST_REQUIRE_MESSAGE(service.ok(), service.status().ToString());
    service_ = std::move(*service);
  }

  uint64_t Append(const std::string& stream, std::vector<events::EventData> events) {
    store::AppendRequest request;
    request.stream = stream;
    request.events = std::move(events);
    auto appended = log_->Append(std::move(request));
    BOOST_REQUIRE_MESSAGE(appended.ok(), appended.status().ToString());
    return appended->last_position;
  }

  void AddWebhook(const std::string& id, const std::string& url, const std::string& secret, bool enabled = true,
                  Json events = Json{"call.started", "call.ended"}) {
    const std::string ref = "sec_" + id;
    Append("account-acme", {SecretEvent(ref, secret), WebhookEvent(true, id, url, ref, enabled, std::move(events))});
  }

  // call.started (+ answered) + ended of one call.
  uint64_t AppendCall(const std::string& call_id, bool answered, int64_t start_ms = NowMs()) {
    events::CallStarted started;
    started.set_call_id(call_id);
    started.set_account_id(kAccount);
    started.set_direction(events::CALL_DIRECTION_INBOUND);
    started.set_from("14155550100");
    started.set_to("14155550199");
    started.set_src_ip("192.0.2.10");
    started.set_ts_ms(start_ms);
    std::vector<events::EventData> list = {events::MakeEvent(events::kCallStarted, started)};
    if (answered) {
      events::CallAnswered a;
      a.set_call_id(call_id);
      a.set_ts_ms(start_ms + 5'000);
      list.push_back(events::MakeEvent(events::kCallAnswered, a));
    }
    events::CallEnded ended;
    ended.set_call_id(call_id);
    ended.set_result(answered ? events::CALL_RESULT_COMPLETED : events::CALL_RESULT_NO_ANSWER);
    ended.set_ts_ms(start_ms + 65'000);
    ended.set_hangup_cause("normal_clearing");
    ended.set_queue_id("q_support");
    list.push_back(events::MakeEvent(events::kCallEnded, ended));
    return Append("call-" + call_id, std::move(list));
  }

  // The attempt records in the log, in order.
  std::vector<events::WebhookAttempted> Attempts() {
    store::ReadAllOptions read;
    read.max_count = 100000;
    read.event_type = std::string(events::kWebhookAttempted);
    auto recorded = log_->ReadAll(read);
    BOOST_REQUIRE(recorded.ok());
    std::vector<events::WebhookAttempted> out;
    for (const auto& e : *recorded) {
      events::WebhookAttempted m;
      BOOST_REQUIRE(m.ParseFromString(e.payload));
      out.push_back(m);
    }
    return out;
  }

  // Waits until the log holds `count` attempt records.
  bool WaitForAttempts(size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Attempts().size() >= count) return true;
      service_->WaitForPosition(log_->HeadPosition() + 1, std::chrono::milliseconds(50));
    }
    return false;
  }

  WebhookService& service() { return *service_; }
  store::EventLog& log() { return *log_; }
  // The appends the service made.
  std::vector<RecordingLog::Noted> ServiceAppends() const { return recording_->appends(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::EventLog> log_;
  std::unique_ptr<RecordingLog> recording_;  // the service's view of log_
  std::unique_ptr<WebhookService> service_;
  WebhookServiceOptions last_options_ = DefaultOptions();
};

Json BodyOf(const testing::ReceivedRequest& r) { return Json::parse(r.body); }

// The callId of each delivery, in the order received.
std::vector<std::string> CallIdsOf(const std::vector<testing::ReceivedRequest>& requests) {
  std::vector<std::string> ids;
  for (const auto& r : requests) ids.push_back(BodyOf(r)["data"]["callId"].get<std::string>());
  return ids;
}
// "c0" .. "c<n-1>", the calls the ordering tests append.
std::vector<std::string> NumberedCalls(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("c" + std::to_string(i));
  return ids;
}

BOOST_AUTO_TEST_CASE(CallEventsAreDeliveredSignedToTheSubscribedWebhooks) {
  Fixture f;
  TestReceiver receiver({});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789");
  f.AddWebhook("whk_ended_only", receiver.Url("/ended"), "secret-two-0123456789", true, Json{"call.ended"});
  f.AddWebhook("whk_off", receiver.Url("/off"), "secret-off-0123456789", false);
  const uint64_t call_position = f.AppendCall("c1", true, 1'700'000'000'000);  // live: delivered however old
  BOOST_REQUIRE(receiver.WaitForRequests(3));
  BOOST_REQUIRE(f.WaitForAttempts(3));
  const auto requests = receiver.Requests();
  BOOST_TEST(requests.size() == 3u);
  size_t started = 0, ended = 0;
  for (const auto& r : requests) {
    BOOST_TEST(r.target != "/off");
    const Json body = BodyOf(r);
    BOOST_TEST(body["account_id"] == kAccount);
    BOOST_TEST(r.headers.at("x-sipio-event") == body["event"].get<std::string>());
    const std::string secret = r.target == "/ended" ? "secret-two-0123456789" : "secret-one-0123456789";
    BOOST_TEST(VerifySignature(secret, r.body, r.headers.at("x-sipio-signature")), r.target);
    if (body["event"] == "call.started") {
      ++started;
      BOOST_TEST(r.target == "/hook");
      BOOST_TEST(body["data"] == (Json{{"callId", "c1"}, {"from", "14155550100"}, {"to", "14155550199"},
                                       {"src_ip", "192.0.2.10"}, {"ts", 1'700'000'000}}));
    } else {
      ++ended;
      BOOST_TEST(body["data"]["direction"] == "inbound");
      BOOST_TEST(body["data"]["answered"] == 1);
      BOOST_TEST(body["data"]["billsec"] == 60);
      BOOST_TEST(body["data"]["hangup_cause"] == "normal_clearing");
      BOOST_TEST(body["data"]["queue_id"] == "q_support");
      BOOST_TEST(body["data"]["agent_id"].is_null());
      BOOST_TEST(body["ts"] == 1'700'000'065);
    }
  }
  BOOST_TEST(started == 1u);
  BOOST_TEST(ended == 2u);
  for (const auto& a : f.Attempts()) {
    BOOST_TEST(a.outcome() == "succeeded");
    BOOST_TEST(a.http_status() == 200);
    BOOST_TEST(a.source_position() <= call_position);
  }
  const auto recent = f.service().RecentAttempts(kAccount, "whk_1");
  BOOST_TEST(recent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(AFailedAttemptIsRetriedWithBackoffAndEveryAttemptIsRecorded) {
  Fixture f;
  TestReceiver receiver({Reply{500}, Reply{503}}, Reply{200});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("c1", false);
  BOOST_REQUIRE(f.WaitForAttempts(3));
  const auto attempts = f.Attempts();
  BOOST_TEST_REQUIRE(attempts.size() == 3u);
  BOOST_TEST(attempts[0].outcome() == "will_retry");
  BOOST_TEST(attempts[0].http_status() == 500);
  BOOST_TEST(attempts[0].next_attempt_ms() > 0);
  BOOST_TEST(attempts[1].outcome() == "will_retry");
  BOOST_TEST(attempts[2].outcome() == "succeeded");
  BOOST_TEST(attempts[2].attempt() == 3);
  BOOST_TEST(attempts[0].delivery_id() == attempts[2].delivery_id());
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 3u);
  BOOST_TEST(requests[0].body == requests[2].body);  // the same delivery, byte for byte
  BOOST_TEST(requests[0].headers.at("x-sipio-delivery") == requests[2].headers.at("x-sipio-delivery"));
}

BOOST_AUTO_TEST_CASE(AttemptsAreAppendedToTheirOwnStreamWithTheExpectedVersion) {
  Fixture f;
  TestReceiver receiver({Reply{500}, Reply{503}}, Reply{200});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("c1", false);
  BOOST_REQUIRE(f.WaitForAttempts(3));
  const auto appends = f.ServiceAppends();
  BOOST_TEST_REQUIRE(appends.size() == 3u);
  for (size_t i = 0; i < appends.size(); ++i) {
    BOOST_TEST(appends[i].stream == AttemptStream(kAccount));
    BOOST_TEST((appends[i].expected.kind == store::ExpectedVersion::Kind::kExact));
    BOOST_TEST(appends[i].expected.version == i);  // each after the one before
  }
}

BOOST_AUTO_TEST_CASE(AnotherWritersRecordIsNeverOverwrittenTheServiceAppendsAfterIt) {
  Fixture f;
  TestReceiver receiver({Reply{500}, Reply{200, /*hold=*/true}}, Reply{200});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("c1", false);
  BOOST_REQUIRE(f.WaitForAttempts(1));
  BOOST_REQUIRE(receiver.WaitForRequests(2));  // the retry is in flight, held by the receiver
  // Another instance records an attempt in the same stream behind the service's back.
  f.Append(AttemptStream(kAccount), {WillRetryRecord(999, 1, 0)});
  receiver.ReleaseHeld();
  BOOST_REQUIRE(f.WaitForAttempts(3));
  auto stream = f.log().ReadStream(AttemptStream(kAccount), {});
  BOOST_REQUIRE(stream.ok());
  BOOST_TEST_REQUIRE(stream->size() == 3u);
  for (size_t i = 0; i < stream->size(); ++i) BOOST_TEST((*stream)[i].version == i + 1);
  events::WebhookAttempted last;
  BOOST_REQUIRE(last.ParseFromString(stream->back().payload));
  BOOST_TEST(last.outcome() == "succeeded");  // the service's retry, after the other record
  const auto appends = f.ServiceAppends();
  BOOST_TEST((appends.back().expected.kind == store::ExpectedVersion::Kind::kExact));
  BOOST_TEST(appends.back().expected.version == 2u);
}

BOOST_AUTO_TEST_CASE(AWebhookGetsOnlyTheCallsThatHappenWhileItExistsAndIsEnabled) {
  Fixture f;
  TestReceiver receiver({});
  f.AppendCall("before", false);  // no webhook yet
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("during", false);
  f.Append("account-acme", {WebhookEvent(false, "whk_1", receiver.Url(), "sec_whk_1", false, Json{"call.started"}, 2)});
  f.AppendCall("disabled", false);
  f.StartService();  // folds the whole history at once
  BOOST_REQUIRE(receiver.WaitForRequests(1));
  BOOST_REQUIRE(f.WaitForAttempts(1));
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(BodyOf(requests[0])["data"]["callId"] == "during");
}

BOOST_AUTO_TEST_CASE(ARestartResumesUnfinishedDeliveriesAndNeverRepeatsFinishedOnes) {
  Fixture f;
  TestReceiver receiver({Reply{500}}, Reply{200});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("done", false);
  BOOST_REQUIRE(f.WaitForAttempts(2));  // 500, then 200
  // A delivery whose first attempt failed and whose retry never ran (a crash): the log
  // holds one will_retry record for it.
  f.service().Stop();
  const uint64_t pending_call = f.AppendCall("pending", false);
  events::WebhookAttempted failed;
  failed.set_delivery_id("dlv-" + std::to_string(pending_call - 1) + "-whk_1");
  failed.set_webhook_id("whk_1");
  failed.set_account_id(kAccount);
  failed.set_event("call.started");
  failed.set_attempt(1);
  failed.set_http_status(500);
  failed.set_outcome("will_retry");
  f.Append(AttemptStream(kAccount), {events::MakeEvent(events::kWebhookAttempted, failed)});
  const size_t before = receiver.Requests().size();
  f.Reopen();
  BOOST_REQUIRE(receiver.WaitForRequests(before + 1));
  BOOST_REQUIRE(f.WaitForAttempts(4));
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == before + 1);
  BOOST_TEST(BodyOf(requests.back())["data"]["callId"] == "pending");
  const auto attempts = f.Attempts();
  BOOST_TEST(attempts.back().attempt() == 2);  // the numbering continues
  BOOST_TEST(attempts.back().outcome() == "succeeded");
}

BOOST_AUTO_TEST_CASE(ATestEventGoesToOneOrEveryEnabledWebhookAndIsRecorded) {
  Fixture f;
  TestReceiver receiver({});
  f.StartService();
  f.AddWebhook("whk_1", receiver.Url("/one"), "secret-one-0123456789");
  f.AddWebhook("whk_2", receiver.Url("/two"), "secret-two-0123456789");
  BOOST_REQUIRE(f.service().WaitForPosition(f.log().HeadPosition(), kPatience));
  auto one = f.service().Test(kAccount, "whk_2");
  BOOST_REQUIRE_MESSAGE(one.ok(), one.status().ToString());
  BOOST_TEST_REQUIRE(one->size() == 1u);
  BOOST_TEST((one->front().record.outcome == AttemptOutcome::kSucceeded));
  BOOST_TEST(receiver.Requests().back().target == "/two");
  BOOST_TEST(BodyOf(receiver.Requests().back())["event"] == "webhook.test");
  auto all = f.service().Test(kAccount, "");
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 2u);
  BOOST_TEST(f.Attempts().size() == 3u);
  BOOST_TEST((f.service().Test(kAccount, "whk_missing").status().code() == ErrorCode::kNotFound));
  BOOST_TEST((f.service().Test("other", "").status().code() == ErrorCode::kNotFound));
  BOOST_REQUIRE(f.service().WaitForPosition(f.log().HeadPosition(), kPatience));
  BOOST_TEST(f.service().RecentAttempts(kAccount, "whk_2").size() == 2u);
}

BOOST_AUTO_TEST_CASE(DeliveriesBeyondAFullQueueWaitAndAreAllSentInLogOrder) {
  Fixture f;
  TestReceiver receiver({Reply{200, /*hold=*/true}});
  WebhookServiceOptions options = Fixture::DefaultOptions();
  options.dispatcher.queue_capacity = 1;
  options.dispatcher.worker_count = 1;
  f.StartService(options);
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  f.AppendCall("c0", false);
  BOOST_REQUIRE(receiver.WaitForRequests(1));  // held: the queue stays full
  uint64_t last = 0;
  for (int i = 1; i < 5; ++i) last = f.AppendCall("c" + std::to_string(i), false);
  BOOST_REQUIRE(f.service().WaitForPosition(last, kPatience));
  receiver.ReleaseHeld();
  BOOST_REQUIRE(receiver.WaitForRequests(5));
  BOOST_REQUIRE(f.WaitForAttempts(5));
  BOOST_TEST(CallIdsOf(receiver.Requests()) == NumberedCalls(5), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(TheBacklogIsResumedInLogOrder) {
  Fixture f;
  TestReceiver receiver({});
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  for (int i = 0; i < 12; ++i) f.AppendCall("c" + std::to_string(i), false);  // positions 3 .. 25
  WebhookServiceOptions options = Fixture::DefaultOptions();
  options.dispatcher.worker_count = 1;
  f.StartService(options);
  BOOST_REQUIRE(receiver.WaitForRequests(12));
  BOOST_TEST(CallIdsOf(receiver.Requests()) == NumberedCalls(12), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(AnUnfinishedDeliveryOlderThanTheResumeWindowIsRecordedExpiredAndNeverSent) {
  Fixture f;
  TestReceiver receiver({});
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  const uint64_t stale = f.AppendCall("stale", false, NowMs() - 25LL * 3600 * 1000);
  f.AppendCall("recent", false);
  f.StartService();  // default window: 24 h
  BOOST_REQUIRE(receiver.WaitForRequests(1));
  BOOST_REQUIRE(f.WaitForAttempts(2));
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(BodyOf(requests[0])["data"]["callId"] == "recent");
  bool expired = false;
  for (const auto& a : f.Attempts()) {
    if (a.delivery_id() != "dlv-" + std::to_string(stale - 1) + "-whk_1") continue;
    expired = true;
    BOOST_TEST(a.outcome() == "gave_up");
    BOOST_TEST(a.error().find("expired") == 0u);
    BOOST_TEST(a.http_status() == 0);
  }
  BOOST_TEST(expired);
  // Finished for good: a restart neither sends nor records it again.
  const size_t records = f.Attempts().size();
  f.Reopen();
  BOOST_REQUIRE(f.service().WaitForPosition(f.log().HeadPosition(), kPatience));
  BOOST_TEST(f.Attempts().size() == records);
  BOOST_TEST(receiver.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(AResumedRetryWaitsForTheNextAttemptTimeItsRecordNamed) {
  ManualClock clock(NowMs(), /*advance_to_deadlines=*/false);
  Fixture f;
  TestReceiver receiver({});
  f.AddWebhook("whk_1", receiver.Url(), "secret-one-0123456789", true, Json{"call.started"});
  const uint64_t call = f.AppendCall("retry-later", false);
  const int64_t due = clock.NowMs() + 60'000;
  f.Append(AttemptStream(kAccount), {WillRetryRecord(call - 1, 1, due)});
  WebhookServiceOptions options = Fixture::DefaultOptions();
  options.dispatcher.clock = &clock;
  options.dispatcher.worker_count = 1;
  f.StartService(options);
  const auto waiting_for = clock.AwaitWaiter(kPatience);
  BOOST_REQUIRE(waiting_for.has_value());
  BOOST_TEST(*waiting_for == due);
  BOOST_TEST(receiver.Requests().empty());
  clock.Advance(60'000);
  BOOST_REQUIRE(receiver.WaitForRequests(1));
  BOOST_REQUIRE(f.WaitForAttempts(2));
  BOOST_TEST(f.Attempts().back().attempt() == 2);
  f.service().Stop();  // before the clock goes
}

}  // namespace
}  // namespace dialtone::webhooks
