// Pure pieces of the webhooks module: signatures, the event body, the backoff policy and
// URL parsing.
#define BOOST_TEST_MODULE webhooks_unit
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "webhooks/dispatcher.h"
#include "webhooks/event_body.h"
#include "webhooks/http_post.h"
#include "webhooks/retry_policy.h"
#include "webhooks/signature.h"

namespace dialtone {
std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << ErrorCodeName(code); }
}  // namespace dialtone

namespace dialtone::webhooks {
namespace {

using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(Signatures)

BOOST_AUTO_TEST_CASE(SignBodyIsHmacSha256InLowercaseHexWithPrefix) {
  // RFC 4231, test case 2.
  BOOST_TEST(SignBody("Jefe", "what do ya want for nothing?") ==
             "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(SignBodyAcceptsAnEmptyBody) {
  // HMAC-SHA256 with key "key" over the empty message.
  BOOST_TEST(SignBody("key", "") ==
             "sha256=5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
}

BOOST_AUTO_TEST_CASE(VerifySignatureAcceptsTheSignatureInEitherHexCase) {
  const std::string body = R"({"event":"call.started"})";
  const std::string signature = SignBody("s3cret", body);
  BOOST_TEST(VerifySignature("s3cret", body, signature));
  std::string upper = signature;
  for (size_t i = kSignaturePrefix.size(); i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  BOOST_TEST(VerifySignature("s3cret", body, upper));
}

BOOST_AUTO_TEST_CASE(VerifySignatureRejectsAnotherSecretOrAlteredBody) {
  const std::string body = R"({"event":"call.started"})";
  const std::string signature = SignBody("s3cret", body);
  BOOST_TEST(!VerifySignature("s3cret!", body, signature));
  BOOST_TEST(!VerifySignature("s3cret", body + " ", signature));
}

BOOST_AUTO_TEST_CASE(VerifySignatureRejectsMalformedHeaders) {
  const std::string body = "{}";
  const std::string signature = SignBody("k", body);
  const std::string hex = signature.substr(kSignaturePrefix.size());
  BOOST_TEST(!VerifySignature("k", body, hex));                        // no prefix
  BOOST_TEST(!VerifySignature("k", body, "sha1=" + hex));              // other algorithm
  BOOST_TEST(!VerifySignature("k", body, signature.substr(0, 70)));    // short
  BOOST_TEST(!VerifySignature("k", body, signature + "00"));           // long
  BOOST_TEST(!VerifySignature("k", body, "sha256=" + std::string(64, 'g')));  // not hex
  BOOST_TEST(!VerifySignature("k", body, ""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(EventBody)

BOOST_AUTO_TEST_CASE(BodyHasEventAccountDataAndTsInThatOrder) {
  const nlohmann::json data = {{"callId", "c-1"}, {"from", "+15550001"}};
  const Result<std::string> body = BuildEventBody("call.started", "acc-7", data, 1700000000);
  BOOST_TEST_REQUIRE(body.ok());
  BOOST_TEST(*body == R"({"event":"call.started","account_id":"acc-7","data":{"callId":"c-1","from":"+15550001"},"ts":1700000000})");
}

BOOST_AUTO_TEST_CASE(BodyRejectsMissingNamesNonObjectDataNegativeTsAndBadUtf8) {
  const nlohmann::json object = nlohmann::json::object();
  BOOST_TEST(BuildEventBody("", "a", object, 1).status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST(BuildEventBody("e", "", object, 1).status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST(BuildEventBody("e", "a", nlohmann::json::array(), 1).status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST(BuildEventBody("e", "a", object, -1).status().code() == ErrorCode::kInvalidArgument);
  const Result<std::string> bad_utf8 = BuildEventBody("e", "a", {{"name", "\xff\xfe"}}, 1);
  BOOST_TEST(bad_utf8.status().code() == ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Backoff)

BOOST_AUTO_TEST_CASE(DefaultPolicyDoublesFromOneSecondWithoutJitterDraw) {
  const RetryPolicy policy;
  BOOST_TEST(policy.max_attempts == 6);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    BOOST_TEST(BackoffDelay(policy, attempt, 0.0).count() == 1000LL << (attempt - 1));
  }
}

BOOST_AUTO_TEST_CASE(DelayIsCappedAtMaxDelay) {
  RetryPolicy policy;
  policy.max_delay = milliseconds(5000);
  BOOST_TEST(BackoffDelay(policy, 4, 0.0).count() == 5000);
  BOOST_TEST(BackoffDelay(policy, 1000, 0.0).count() == 5000);
}

BOOST_AUTO_TEST_CASE(JitterShortensTheDelayByAtMostTheJitterFraction) {
  RetryPolicy policy;
  policy.jitter = 0.25;
  BOOST_TEST(BackoffDelay(policy, 3, 0.0).count() == 4000);
  BOOST_TEST(BackoffDelay(policy, 3, 0.5).count() == 3500);
  BOOST_TEST(BackoffDelay(policy, 3, 0.999999).count() == 3000);
}

BOOST_AUTO_TEST_CASE(InvalidPoliciesAreRejectedByField) {
  const auto invalid = [](auto mutate) {
    RetryPolicy policy;
    mutate(policy);
    return ValidateRetryPolicy(policy);
  };
  BOOST_TEST(ValidateRetryPolicy(RetryPolicy{}).ok());
  BOOST_TEST(invalid([](RetryPolicy& p) { p.max_attempts = 0; }).message().find("max_attempts") != std::string::npos);
  BOOST_TEST(invalid([](RetryPolicy& p) { p.factor = 0.5; }).message().find("factor") != std::string::npos);
  BOOST_TEST(invalid([](RetryPolicy& p) { p.jitter = 1.5; }).message().find("jitter") != std::string::npos);
  BOOST_TEST(invalid([](RetryPolicy& p) { p.max_delay = milliseconds(10); }).message().find("max_delay") !=
             std::string::npos);
  BOOST_TEST(invalid([](RetryPolicy& p) { p.base_delay = milliseconds(-1); }).message().find("base_delay") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Urls)

BOOST_AUTO_TEST_CASE(HttpUrlDefaultsToPort80AndRootTarget) {
  const Result<WebhookUrl> url = ParseWebhookUrl("http://example.com");
  BOOST_TEST_REQUIRE(url.ok());
  BOOST_TEST(!url->tls);
  BOOST_TEST(url->host == "example.com");
  BOOST_TEST(url->port == 80);
  BOOST_TEST(url->target == "/");
}

BOOST_AUTO_TEST_CASE(HttpsUrlKeepsPortPathAndQueryAndDropsTheFragment) {
  const Result<WebhookUrl> url = ParseWebhookUrl("HTTPS://hooks.example.com:8443/in/calls?token=a#frag");
  BOOST_TEST_REQUIRE(url.ok());
  BOOST_TEST(url->tls);
  BOOST_TEST(url->port == 8443);
  BOOST_TEST(url->target == "/in/calls?token=a");
  const Result<WebhookUrl> defaulted = ParseWebhookUrl("https://h?x=1");
  BOOST_TEST_REQUIRE(defaulted.ok());
  BOOST_TEST(defaulted->port == 443);
  BOOST_TEST(defaulted->target == "/?x=1");
}

BOOST_AUTO_TEST_CASE(Ipv6LiteralIsUnbracketed) {
  const Result<WebhookUrl> url = ParseWebhookUrl("http://[::1]:9000/h");
  BOOST_TEST_REQUIRE(url.ok());
  BOOST_TEST(url->host == "::1");
  BOOST_TEST(url->port == 9000);
}

BOOST_AUTO_TEST_CASE(BadUrlsAreRejected) {
  for (const char* bad : {"ftp://h/", "h/path", "http://", "http://:80/", "http://h:0/", "http://h:70000/",
                          "http://h:x/", "http://user:pw@h/", "http://h/a b", "http://[::1/"}) {
    const Result<WebhookUrl> url = ParseWebhookUrl(bad);
    BOOST_TEST(url.status().code() == ErrorCode::kInvalidArgument, bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(OutcomeNamesMatchTheEventVocabulary) {
  BOOST_TEST(AttemptOutcomeName(AttemptOutcome::kSucceeded) == "succeeded");
  BOOST_TEST(AttemptOutcomeName(AttemptOutcome::kWillRetry) == "will_retry");
  BOOST_TEST(AttemptOutcomeName(AttemptOutcome::kGaveUp) == "gave_up");
}

}  // namespace
}  // namespace dialtone::webhooks
