#include "app/tail.h"

#include <algorithm>
#include <atomic>

#include <nlohmann/json.hpp>

#include "events/json.h"

namespace dialtone::app {

namespace {
constexpr size_t kReadBatch = 512;
}

Status TailEvents(const store::EventLog& log, const TailOptions& options, const LineWriter& write,
                  StopSignal& stop) {
  if (options.limit == 0u) return Status::Ok();
  if (!options.follow) {
    uint64_t written = 0;
    uint64_t after = options.after;
    while (!stop.requested() && after < log.HeadPosition()) {
      store::ReadAllOptions read;
      read.from_position = after + 1;
      read.max_count = kReadBatch;
      if (options.limit) read.max_count = static_cast<size_t>(std::min<uint64_t>(kReadBatch, *options.limit - written));
      auto batch = log.ReadAll(read);
      if (!batch.ok()) return batch.status();
      if (batch->empty()) break;
      for (const auto& event : *batch) {
        write(events::ToJsonLine(event));
        after = event.position;
      }
      written += batch->size();
      if (options.limit && written >= *options.limit) break;
    }
    return Status::Ok();
  }

  // Follow: one subscription delivers the backlog and then live events, in order, with
  // no gap or duplicate at the switch.
  std::atomic<uint64_t> written{0};
  store::SubscribeOptions subscribe;
  subscribe.after_position = options.after;
  auto subscription = log.Subscribe(std::move(subscribe), [&](const store::RecordedEvent& event) {
    if (options.limit && written.load() >= *options.limit) return;
    write(events::ToJsonLine(event));
    if (written.fetch_add(1) + 1 == options.limit.value_or(0)) stop.Request();
  });
  stop.Wait();
  subscription->Stop();
  return Status::Ok();
}

Status TailEventsOverHttp(const HttpTailSource& source, const TailOptions& options,
                          const LineWriter& write, StopSignal& stop) {
  constexpr uint64_t kMaxPage = 1000;  // the server's largest limit
  uint64_t after = options.after;
  uint64_t written = 0;
  const std::string where = "http://" + source.url.host + ":" + std::to_string(source.url.port);
  while (!stop.requested()) {
    uint64_t page = kMaxPage;
    if (options.limit) page = std::min(page, *options.limit - written);
    if (page == 0) break;
    gateway::ClientRequest request;
    request.target = source.url.base_path + "/v1/events?after=" + std::to_string(after) +
                     "&limit=" + std::to_string(page);
    request.headers.Set("x-api-key", source.admin_key);
    auto response = gateway::HttpFetch(source.url.host, source.url.port, request, source.request_timeout);
    if (!response.ok()) return response.status();
    const auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (response->status == 401) {
      return Status::InvalidArgument(where + " rejected the admin key (set DIALTONE_ADMIN_KEY to the server's key)");
    }
    if (response->status != 200) {
      std::string message = response->body;
      if (body.is_object() && body.contains("error") && body["error"].is_object() &&
          body["error"].contains("message") && body["error"]["message"].is_string()) {
        message = body["error"]["message"].get<std::string>();
      }
      return Status::IOError("GET " + where + request.target + " answered " +
                             std::to_string(response->status) + ": " + message);
    }
    if (!body.is_object() || !body.contains("events") || !body["events"].is_array() ||
        !body.contains("head") || !body["head"].is_number_unsigned()) {
      return Status::IOError("GET " + where + request.target + " returned an unexpected body");
    }
    for (const auto& event : body["events"]) {
      if (!event.is_object() || !event.contains("position") || !event["position"].is_number_unsigned()) {
        return Status::IOError("GET " + where + request.target + " returned an event without a position");
      }
      write(event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      after = event["position"].get<uint64_t>();
      ++written;
    }
    if (options.limit && written >= *options.limit) {
      if (options.follow) stop.Request();
      break;
    }
    if (after >= body["head"].get<uint64_t>()) {
      if (!options.follow) break;
      stop.WaitFor(source.poll_interval);
    }
  }
  return Status::Ok();
}

}  // namespace dialtone::app
