// The dispatcher and TestDelivery against a real local HTTP(S) receiver. Backoff runs on
// a ManualClock, so no test waits for real retry delays; every wait is on a condition
// with a generous timeout.
#define BOOST_TEST_MODULE webhooks_delivery
#include <boost/test/unit_test.hpp>

#include <future>
#include <set>

#include <nlohmann/json.hpp>

#include "test_receiver.h"
#include "webhooks/dispatcher.h"
#include "webhooks/event_body.h"
#include "webhooks/signature.h"

namespace dialtone {
std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << ErrorCodeName(code); }
}  // namespace dialtone

namespace dialtone::webhooks {

std::ostream& operator<<(std::ostream& out, AttemptOutcome outcome) { return out << AttemptOutcomeName(outcome); }

namespace {

using std::chrono::milliseconds;
using testing::Reply;
using testing::TestReceiver;

constexpr auto kPatience = std::chrono::seconds(20);
constexpr const char* kSecret = "whsec-test";

// Collects attempt records; tests wait on conditions over them.
class RecordingSink final : public AttemptSink {
 public:
  void OnAttempt(const AttemptRecord& record) override {
    std::lock_guard guard(mu_);
    records_.push_back(record);
    changed_.notify_all();
  }
  // Waits until `count` deliveries have a final (succeeded or gave_up) record.
  bool WaitForFinished(size_t count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kPatience, [&] { return FinishedLocked() >= count; });
  }
  bool WaitForRecords(size_t count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kPatience, [&] { return records_.size() >= count; });
  }
  std::vector<AttemptRecord> Records() {
    std::lock_guard guard(mu_);
    return records_;
  }

 private:
  size_t FinishedLocked() const {
    size_t finished = 0;
    for (const AttemptRecord& r : records_) finished += r.outcome != AttemptOutcome::kWillRetry;
    return finished;
  }
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<AttemptRecord> records_;
};

Delivery MakeDelivery(const std::string& id, const std::string& url) {
  const Result<std::string> body =
      BuildEventBody("call.started", "acc-1", {{"callId", "call-" + id}, {"from", "+15550100"}}, 1700000000);
  BOOST_REQUIRE(body.ok());
  return Delivery{id, "wh-1", "acc-1", url, kSecret, "call.started", *body};
}

// One worker; retry delays without jitter: 1000 ms, then 2000 ms, ... The HTTP timeout
// is far beyond any test's need, so held requests end only when the test releases them.
DispatcherOptions OptionsWithClock(Clock& clock) {
  DispatcherOptions options;
  options.clock = &clock;
  options.worker_count = 1;
  options.retry.jitter = 0.0;
  options.http.timeout = std::chrono::seconds(60);
  return options;
}

std::unique_ptr<WebhookDispatcher> MakeDispatcher(DispatcherOptions options, AttemptSink& sink) {
  Result<std::unique_ptr<WebhookDispatcher>> dispatcher = WebhookDispatcher::Create(std::move(options), sink);
  BOOST_REQUIRE_MESSAGE(dispatcher.ok(), dispatcher.status().ToString());
  return std::move(dispatcher).value();
}

BOOST_AUTO_TEST_SUITE(Dispatcher)

BOOST_AUTO_TEST_CASE(SuccessfulDeliveryIsSignedAndCarriesTheDocumentedHeaders) {
  TestReceiver receiver({}, Reply{204});
  ManualClock clock;
  RecordingSink sink;
  auto dispatcher = MakeDispatcher(OptionsWithClock(clock), sink);
  const Delivery delivery = MakeDelivery("d-1", receiver.Url("/hooks/in?tenant=1"));
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(delivery).ok());

  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0].outcome == AttemptOutcome::kSucceeded);
  BOOST_TEST(records[0].attempt == 1);
  BOOST_TEST(records[0].http_status == 204);
  BOOST_TEST(records[0].error.empty());
  BOOST_TEST(records[0].delivery_id == "d-1");
  BOOST_TEST(records[0].webhook_id == "wh-1");
  BOOST_TEST(records[0].started_ms == clock.NowMs());

  const std::vector<testing::ReceivedRequest> requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  const testing::ReceivedRequest& request = requests[0];
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.target == "/hooks/in?tenant=1");
  BOOST_TEST(request.body == delivery.body);
  BOOST_TEST(request.headers.at("content-type") == "application/json");
  BOOST_TEST(request.headers.at("user-agent") == "dialtone-webhooks/1");
  BOOST_TEST(request.headers.at("x-sipio-event") == "call.started");
  BOOST_TEST(request.headers.at("x-sipio-delivery") == "d-1");
  const std::string& signature = request.headers.at("x-sipio-signature");
  BOOST_TEST(signature == SignBody(kSecret, delivery.body));
  BOOST_TEST(VerifySignature(kSecret, request.body, signature));
  BOOST_TEST(!VerifySignature("another-secret", request.body, signature));
  const nlohmann::json body = nlohmann::json::parse(request.body);
  BOOST_TEST(body.at("event") == "call.started");
  BOOST_TEST(body.at("account_id") == "acc-1");
  BOOST_TEST(body.at("data").at("callId") == "call-d-1");
  BOOST_TEST(body.at("ts") == 1700000000);
}

BOOST_AUTO_TEST_CASE(FailuresAreRetriedWithExponentialBackoffUntilA2xx) {
  TestReceiver receiver({Reply{500}, Reply{500}, Reply{200}});
  ManualClock clock(1'700'000'000'000, /*advance_to_deadlines=*/true);
  RecordingSink sink;
  auto dispatcher = MakeDispatcher(OptionsWithClock(clock), sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());

  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> r = sink.Records();
  BOOST_TEST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[0].outcome == AttemptOutcome::kWillRetry);
  BOOST_TEST(r[0].http_status == 500);
  BOOST_TEST(r[0].error.find("500") != std::string::npos);
  BOOST_TEST(r[0].next_attempt_ms == r[0].started_ms + r[0].duration_ms + 1000);
  BOOST_TEST(r[1].attempt == 2);
  BOOST_TEST(r[1].outcome == AttemptOutcome::kWillRetry);
  BOOST_TEST(r[1].started_ms == r[0].next_attempt_ms);  // waited exactly until due
  BOOST_TEST(r[1].next_attempt_ms == r[1].started_ms + r[1].duration_ms + 2000);
  BOOST_TEST(r[2].attempt == 3);
  BOOST_TEST(r[2].outcome == AttemptOutcome::kSucceeded);
  BOOST_TEST(r[2].started_ms == r[1].next_attempt_ms);
  BOOST_TEST(r[2].next_attempt_ms == 0);
  BOOST_TEST(receiver.Requests().size() == 3u);
  BOOST_TEST(dispatcher->outstanding() == 0u);
}

BOOST_AUTO_TEST_CASE(RetryRunsWhenTheClockReachesItsDeadline) {
  TestReceiver receiver({Reply{503}, Reply{200}});
  ManualClock clock;
  RecordingSink sink;
  auto dispatcher = MakeDispatcher(OptionsWithClock(clock), sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());

  BOOST_TEST_REQUIRE(sink.WaitForRecords(1));
  const AttemptRecord first = sink.Records()[0];
  BOOST_TEST(first.outcome == AttemptOutcome::kWillRetry);
  const std::optional<int64_t> deadline = clock.AwaitWaiter(kPatience);
  BOOST_TEST_REQUIRE(deadline.has_value());
  BOOST_TEST(*deadline == first.next_attempt_ms);
  BOOST_TEST(*deadline == clock.NowMs() + 1000);
  BOOST_TEST(receiver.Requests().size() == 1u);

  clock.Advance(1000);
  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[1].outcome == AttemptOutcome::kSucceeded);
  BOOST_TEST(records[1].started_ms == first.next_attempt_ms);
}

BOOST_AUTO_TEST_CASE(ReceiverThatAlwaysFailsIsGivenUpAfterMaxAttempts) {
  TestReceiver receiver({}, Reply{500});
  ManualClock clock(0, /*advance_to_deadlines=*/true);
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.retry.max_attempts = 4;
  auto dispatcher = MakeDispatcher(options, sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());

  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 4u);
  for (int i = 0; i < 3; ++i) BOOST_TEST(records[i].outcome == AttemptOutcome::kWillRetry);
  BOOST_TEST(records[3].attempt == 4);
  BOOST_TEST(records[3].outcome == AttemptOutcome::kGaveUp);
  BOOST_TEST(records[3].http_status == 500);
  BOOST_TEST(records[3].next_attempt_ms == 0);
  BOOST_TEST(receiver.Requests().size() == 4u);
  BOOST_TEST(dispatcher->outstanding() == 0u);
}

BOOST_AUTO_TEST_CASE(RefusedConnectionIsRetriedThenGivenUp) {
  ManualClock clock(0, /*advance_to_deadlines=*/true);
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.retry.max_attempts = 3;
  auto dispatcher = MakeDispatcher(options, sink);
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::UnusedLocalPort()) + "/hook";
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", url)).ok());

  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 3u);
  for (const AttemptRecord& record : records) {
    BOOST_TEST(record.http_status == 0);
    BOOST_TEST(record.error.find("cannot connect to 127.0.0.1") != std::string::npos, record.error);
  }
  BOOST_TEST(records[0].outcome == AttemptOutcome::kWillRetry);
  BOOST_TEST(records[1].outcome == AttemptOutcome::kWillRetry);
  BOOST_TEST(records[2].outcome == AttemptOutcome::kGaveUp);
}

BOOST_AUTO_TEST_CASE(SlowReceiverFailsTheAttemptWithATimeout) {
  TestReceiver receiver({}, Reply{200, /*hold=*/true});
  ManualClock clock;
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.retry.max_attempts = 1;
  options.http.timeout = milliseconds(300);
  auto dispatcher = MakeDispatcher(options, sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());

  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const AttemptRecord record = sink.Records().at(0);
  BOOST_TEST(record.outcome == AttemptOutcome::kGaveUp);
  BOOST_TEST(record.http_status == 0);
  BOOST_TEST(record.error.find("timed out after 300 ms trying to read the response") != std::string::npos,
             record.error);
  BOOST_TEST(receiver.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(FullQueueRefusesWithBusyAndDropsNothingAccepted) {
  TestReceiver receiver({Reply{200, /*hold=*/true}}, Reply{200});
  ManualClock clock;
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.queue_capacity = 2;
  auto dispatcher = MakeDispatcher(options, sink);

  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-2", receiver.Url())).ok());
  const Status refused = dispatcher->Enqueue(MakeDelivery("d-3", receiver.Url()));
  BOOST_TEST(refused.code() == ErrorCode::kBusy);
  BOOST_TEST(refused.message().find("full") != std::string::npos);
  BOOST_TEST(dispatcher->outstanding() == 2u);

  BOOST_TEST_REQUIRE(receiver.WaitForRequests(1));
  receiver.ReleaseHeld();
  BOOST_TEST_REQUIRE(sink.WaitForFinished(2));
  BOOST_TEST(dispatcher->Enqueue(MakeDelivery("d-4", receiver.Url())).ok());
  BOOST_TEST_REQUIRE(sink.WaitForFinished(3));

  std::multiset<std::string> delivered;
  for (const auto& request : receiver.Requests()) delivered.insert(request.headers.at("x-sipio-delivery"));
  BOOST_TEST((delivered == std::multiset<std::string>{"d-1", "d-2", "d-4"}));
}

BOOST_AUTO_TEST_CASE(StopReturnsPromptlyAndHandsBackDeliveriesAwaitingRetry) {
  TestReceiver receiver({}, Reply{500});
  ManualClock clock;  // never advanced: every retry stays pending
  RecordingSink sink;
  auto dispatcher = MakeDispatcher(OptionsWithClock(clock), sink);
  for (const char* id : {"d-1", "d-2", "d-3"}) {
    BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery(id, receiver.Url())).ok());
  }
  BOOST_TEST_REQUIRE(sink.WaitForRecords(3));

  std::future<std::vector<PendingDelivery>> stopped =
      std::async(std::launch::async, [&] { return dispatcher->Stop(); });
  BOOST_TEST_REQUIRE((stopped.wait_for(kPatience) == std::future_status::ready));
  const std::vector<PendingDelivery> pending = stopped.get();
  BOOST_TEST_REQUIRE(pending.size() == 3u);
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST(records.size() == 3u);  // nothing reported for the dropped retries
  std::set<std::string> ids;
  for (const PendingDelivery& p : pending) {
    ids.insert(p.delivery.delivery_id);
    BOOST_TEST(p.attempts_made == 1);
    BOOST_TEST(p.due_ms == clock.NowMs() + 1000);
    BOOST_TEST(p.delivery.secret == kSecret);
  }
  BOOST_TEST((ids == std::set<std::string>{"d-1", "d-2", "d-3"}));
  BOOST_TEST(dispatcher->Enqueue(MakeDelivery("d-4", receiver.Url())).code() == ErrorCode::kUnavailable);
  BOOST_TEST(dispatcher->Stop().empty());
  BOOST_TEST(receiver.Requests().size() == 3u);
}

BOOST_AUTO_TEST_CASE(StopFinishesTheInFlightAttemptAndHandsBackQueuedDeliveries) {
  TestReceiver receiver({Reply{200, /*hold=*/true}}, Reply{200});
  ManualClock clock;
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.queue_capacity = 2;
  auto dispatcher = MakeDispatcher(options, sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url())).ok());
  BOOST_TEST_REQUIRE(receiver.WaitForRequests(1));  // the only worker is now inside d-1
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-2", receiver.Url())).ok());

  std::future<std::vector<PendingDelivery>> stopped =
      std::async(std::launch::async, [&] { return dispatcher->Stop(); });
  // The queue is full (kBusy) until Stop() takes effect, then the dispatcher is closed.
  const auto give_up_at = std::chrono::steady_clock::now() + kPatience;
  Status probe = dispatcher->Enqueue(MakeDelivery("probe", receiver.Url()));
  while (probe.code() == ErrorCode::kBusy && std::chrono::steady_clock::now() < give_up_at) {
    std::this_thread::yield();
    probe = dispatcher->Enqueue(MakeDelivery("probe", receiver.Url()));
  }
  BOOST_TEST_REQUIRE(probe.code() == ErrorCode::kUnavailable);
  BOOST_TEST((stopped.wait_for(milliseconds(0)) == std::future_status::timeout));  // still in flight

  receiver.ReleaseHeld();
  BOOST_TEST_REQUIRE((stopped.wait_for(kPatience) == std::future_status::ready));
  const std::vector<PendingDelivery> pending = stopped.get();
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0].delivery_id == "d-1");
  BOOST_TEST(records[0].outcome == AttemptOutcome::kSucceeded);
  BOOST_TEST_REQUIRE(pending.size() == 1u);
  BOOST_TEST(pending[0].delivery.delivery_id == "d-2");
  BOOST_TEST(pending[0].attempts_made == 0);
  BOOST_TEST(receiver.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(ResumedDeliveryContinuesItsAttemptNumbering) {
  TestReceiver receiver({}, Reply{500});
  ManualClock clock;
  RecordingSink sink;
  DispatcherOptions options = OptionsWithClock(clock);
  options.retry.max_attempts = 3;
  auto dispatcher = MakeDispatcher(options, sink);
  BOOST_TEST_REQUIRE(dispatcher->Enqueue(MakeDelivery("d-1", receiver.Url()), /*attempts_made=*/2).ok());
  BOOST_TEST_REQUIRE(sink.WaitForFinished(1));
  const std::vector<AttemptRecord> records = sink.Records();
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0].attempt == 3);
  BOOST_TEST(records[0].outcome == AttemptOutcome::kGaveUp);
}

BOOST_AUTO_TEST_CASE(InvalidDeliveriesAreRejectedAndNothingIsSent) {
  TestReceiver receiver({}, Reply{200});
  ManualClock clock;
  RecordingSink sink;
  auto dispatcher = MakeDispatcher(OptionsWithClock(clock), sink);
  const auto rejected = [&](Delivery delivery, int attempts_made = 0) {
    return dispatcher->Enqueue(std::move(delivery), attempts_made).code() == ErrorCode::kInvalidArgument;
  };
  const Delivery good = MakeDelivery("d-1", receiver.Url());
  Delivery d = good;
  d.url = "ftp://127.0.0.1/";
  BOOST_TEST(rejected(d));
  d = good;
  d.secret.clear();
  BOOST_TEST(rejected(d));
  d = good;
  d.event = "call.started\r\nx-evil: 1";
  BOOST_TEST(rejected(d));
  d = good;
  d.delivery_id.clear();
  BOOST_TEST(rejected(d));
  d = good;
  d.webhook_id.clear();
  BOOST_TEST(rejected(d));
  BOOST_TEST(rejected(good, -1));
  BOOST_TEST(rejected(good, RetryPolicy{}.max_attempts));
  BOOST_TEST(dispatcher->outstanding() == 0u);
  BOOST_TEST(dispatcher->Stop().empty());
  BOOST_TEST(sink.Records().empty());
  BOOST_TEST(receiver.Requests().empty());
}

BOOST_AUTO_TEST_CASE(InvalidOptionsAreRejectedAtCreation) {
  RecordingSink sink;
  const auto rejected = [&](auto mutate) {
    DispatcherOptions options;
    mutate(options);
    return WebhookDispatcher::Create(std::move(options), sink).status().code() == ErrorCode::kInvalidArgument;
  };
  BOOST_TEST(rejected([](DispatcherOptions& o) { o.worker_count = 0; }));
  BOOST_TEST(rejected([](DispatcherOptions& o) { o.queue_capacity = 0; }));
  BOOST_TEST(rejected([](DispatcherOptions& o) { o.retry.max_attempts = 0; }));
  BOOST_TEST(rejected([](DispatcherOptions& o) { o.http.timeout = milliseconds(0); }));
  BOOST_TEST(rejected([](DispatcherOptions& o) { o.http.trusted_ca_pem = "not a certificate"; }));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Http)

BOOST_AUTO_TEST_CASE(OversizedResponseBodyIsReadOnlyUpToTheCap) {
  TestReceiver receiver({}, Reply{200, false, 200 * 1024});
  HttpOptions options;
  options.max_response_body = 64 * 1024;
  Result<std::unique_ptr<HttpPoster>> poster = HttpPoster::Create(options);
  BOOST_TEST_REQUIRE(poster.ok());
  const Result<WebhookUrl> url = ParseWebhookUrl(receiver.Url());
  BOOST_TEST_REQUIRE(url.ok());
  const Result<PostResponse> response = (*poster)->Post(*url, {}, "{}");
  BOOST_TEST_REQUIRE(response.ok(), response.status().ToString());
  BOOST_TEST(response->status == 200);
  BOOST_TEST(response->body_truncated);
  BOOST_TEST(response->body.size() <= options.max_response_body);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(TestDeliveries)

TestDeliveryRequest MakeTestRequest(const std::string& url) {
  return TestDeliveryRequest{"t-1", "wh-9", "acc-1", url, kSecret, 1700000123};
}

BOOST_AUTO_TEST_CASE(TestDeliverySendsOneSignedWebhookTestEvent) {
  TestReceiver receiver({}, Reply{200});
  ManualClock clock;
  const Result<AttemptRecord> record = TestDelivery(MakeTestRequest(receiver.Url()), HttpOptions{}, &clock);
  BOOST_TEST_REQUIRE(record.ok(), record.status().ToString());
  BOOST_TEST(record->outcome == AttemptOutcome::kSucceeded);
  BOOST_TEST(record->attempt == 1);
  BOOST_TEST(record->http_status == 200);
  BOOST_TEST(record->event == "webhook.test");

  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].headers.at("x-sipio-event") == "webhook.test");
  BOOST_TEST(requests[0].headers.at("x-sipio-delivery") == "t-1");
  BOOST_TEST(VerifySignature(kSecret, requests[0].body, requests[0].headers.at("x-sipio-signature")));
  const nlohmann::json body = nlohmann::json::parse(requests[0].body);
  BOOST_TEST(body.at("event") == "webhook.test");
  BOOST_TEST(body.at("account_id") == "acc-1");
  BOOST_TEST(body.at("data").at("webhook_id") == "wh-9");
  BOOST_TEST(body.at("ts") == 1700000123);
}

BOOST_AUTO_TEST_CASE(FailedTestDeliveryGivesUpWithoutRetrying) {
  TestReceiver receiver({}, Reply{500});
  const Result<AttemptRecord> record = TestDelivery(MakeTestRequest(receiver.Url()), HttpOptions{});
  BOOST_TEST_REQUIRE(record.ok());
  BOOST_TEST(record->outcome == AttemptOutcome::kGaveUp);
  BOOST_TEST(record->http_status == 500);
  BOOST_TEST(record->next_attempt_ms == 0);
  BOOST_TEST(receiver.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(TestDeliveryRejectsABadUrlWithoutSending) {
  const Result<AttemptRecord> record = TestDelivery(MakeTestRequest("gopher://x/"), HttpOptions{});
  BOOST_TEST(record.status().code() == ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(HttpsDeliveryToATrustedCertificateSucceeds) {
  const testing::TlsIdentity identity = testing::MakeSelfSignedIdentity();
  TestReceiver receiver({}, Reply{202}, &identity);
  HttpOptions options;
  options.trusted_ca_pem = identity.certificate_pem;
  const Result<AttemptRecord> record = TestDelivery(MakeTestRequest(receiver.Url()), options);
  BOOST_TEST_REQUIRE(record.ok(), record.status().ToString());
  BOOST_TEST(record->outcome == AttemptOutcome::kSucceeded, record->error);
  BOOST_TEST(record->http_status == 202);
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(VerifySignature(kSecret, requests[0].body, requests[0].headers.at("x-sipio-signature")));
}

BOOST_AUTO_TEST_CASE(HttpsDeliveryToAnUntrustedCertificateFailsVerification) {
  const testing::TlsIdentity identity = testing::MakeSelfSignedIdentity();
  TestReceiver receiver({}, Reply{200}, &identity);
  const Result<AttemptRecord> record = TestDelivery(MakeTestRequest(receiver.Url()), HttpOptions{});
  BOOST_TEST_REQUIRE(record.ok());
  BOOST_TEST(record->outcome == AttemptOutcome::kGaveUp);
  BOOST_TEST(record->http_status == 0);
  BOOST_TEST(record->error.find("TLS handshake") != std::string::npos, record->error);
  BOOST_TEST(receiver.Requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dialtone::webhooks
