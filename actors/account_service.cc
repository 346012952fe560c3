#include "actors/account_service.h"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace dialtone::actors {

Result<AccountCommandResult> AccountService::ExecuteAndWait(AccountCommand command) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<AccountCommandResult>> result;
  };
  // Owned jointly by this frame and the reply, so neither outlives the other's use of it.
  auto waiter = std::make_shared<Waiter>();
  Execute(std::move(command), [waiter](Result<AccountCommandResult> result) {
    std::lock_guard lock(waiter->mu);
    waiter->result.emplace(std::move(result));
    waiter->cv.notify_one();
  });
  std::unique_lock lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

}  // namespace dialtone::actors
