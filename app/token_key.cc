#include "app/token_key.h"

#include "domain/secret_box.h"
#include "events/event_types.h"
#include "platform.pb.h"

namespace dialtone::app {

namespace {

Result<std::optional<std::string>> Read(const store::EventLog& log, std::string_view node_key) {
  store::ReadStreamOptions options;
  options.max_count = 1;
  auto events = log.ReadStream(kTokenKeyStream, options);
  if (!events.ok()) return events.status();
  if (events->empty()) return std::optional<std::string>();
  events::TokenKeyCreated created;
  if (events->front().type != events::kTokenKeyCreated || !created.ParseFromString(events->front().payload)) {
    return Status::Corruption("the token key in the log does not decode");
  }
  auto opened = domain::OpenSecret(node_key, domain::SealedSecret{created.nonce(), created.ciphertext()},
                                   kTokenKeyStream);
  if (!opened.ok()) {
    return Status::Corruption("the token key in the log does not open with this node's key: " + opened.status().message());
  }
  return std::optional<std::string>(std::move(opened).value());
}

}  // namespace

Result<std::optional<std::string>> LoadOrCreateTokenKey(store::EventLog& log, std::string_view node_key,
                                                        bool create) {
  auto existing = Read(log, node_key);
  if (!existing.ok() || existing->has_value() || !create) return existing;
  auto key = domain::GenerateSecretKey();
  if (!key.ok()) return key.status();
  auto sealed = domain::SealSecret(node_key, *key, kTokenKeyStream);
  if (!sealed.ok()) return sealed.status();
  events::TokenKeyCreated created;
  created.set_nonce(sealed->nonce);
  created.set_ciphertext(sealed->ciphertext);
  store::AppendRequest request;
  request.stream = std::string(kTokenKeyStream);
  request.expected = store::ExpectedVersion::NoStream();
  request.events.push_back(events::MakeEvent(events::kTokenKeyCreated, created));
  request.events.back().principal = "system";
  auto appended = log.Append(std::move(request));
  if (appended.ok()) return std::optional<std::string>(std::move(key).value());
  if (appended.error().status.code() != ErrorCode::kWrongExpectedVersion) return appended.error().status;
  // Another node made it first: that one is the deployment's.
  auto theirs = Read(log, node_key);
  if (theirs.ok() && !theirs->has_value()) return Status::Internal("the token key stream exists but is empty");
  return theirs;
}

}  // namespace dialtone::app
