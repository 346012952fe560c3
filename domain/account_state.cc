#include "domain/account_state.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <array>

namespace dialtone::domain {

namespace {

constexpr size_t kMaxAccountIdLength = 64;

constexpr std::array<std::string_view, 9> kDestinationKinds = {
    "flow", "user", "extension", "ring_group", "queue", "voicemail", "conference", "forward",
    "hangup"};

}  // namespace

std::string_view AccountStatusName(AccountStatus status) {
  switch (status) {
    case AccountStatus::kAbsent: return "";
    case AccountStatus::kActive: return "active";
    case AccountStatus::kSuspended: return "suspended";
    case AccountStatus::kClosed: return "closed";
  }
  return "";
}

const StoredResource* AccountState::FindResource(std::string_view kind, std::string_view id) const {
  auto kind_it = resources.find(std::string(kind));
  if (kind_it == resources.end()) return nullptr;
  auto it = kind_it->second.find(std::string(id));
  return it == kind_it->second.end() ? nullptr : &it->second;
}

bool SameAccountState(const AccountState& a, const AccountState& b) {
  return a.account_id == b.account_id && a.parent_id == b.parent_id && a.status == b.status &&
         a.version == b.version && a.account_revision == b.account_revision &&
         a.created_ms == b.created_ms && a.updated_ms == b.updated_ms &&
         google::protobuf::util::MessageDifferencer::Equals(a.settings, b.settings) &&
         a.resources == b.resources && a.api_keys == b.api_keys &&
         std::equal(a.secrets.begin(), a.secrets.end(), b.secrets.begin(), b.secrets.end(),
                    [](const auto& x, const auto& y) {
                      return x.first == y.first && x.second.nonce == y.second.nonce &&
                             x.second.ciphertext == y.second.ciphertext;
                    });
}

Status ValidateAccountId(std::string_view account_id) {
  if (account_id.empty()) return Status::InvalidArgument("account id is empty");
  if (account_id.size() > kMaxAccountIdLength) {
    return Status::InvalidArgument("account id is longer than 64 characters");
  }
  for (char c : account_id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) {
      return Status::InvalidArgument("account id '" + std::string(account_id) +
                                     "' may hold only letters, digits, '_' and '-'");
    }
  }
  return Status::Ok();
}

std::string AccountStream(std::string_view account_id) {
  return "account-" + std::string(account_id);
}

bool IsValidDestinationKind(std::string_view kind) {
  return std::find(kDestinationKinds.begin(), kDestinationKinds.end(), kind) != kDestinationKinds.end();
}

commands::AccountView ToAccountView(const AccountState& state) {
  commands::AccountView view;
  view.account_id = state.account_id;
  view.parent_id = state.parent_id;
  view.status = std::string(AccountStatusName(state.status));
  view.settings = state.settings;
  view.version = state.version;
  view.account_revision = state.account_revision;
  view.created_ms = state.created_ms;
  view.updated_ms = state.updated_ms;
  return view;
}

Result<std::string> OpenAccountSecret(const AccountState& state, std::string_view ref,
                                      std::string_view secret_key) {
  auto it = state.secrets.find(std::string(ref));
  if (it == state.secrets.end()) {
    return Status::NotFound("the account has no secret '" + std::string(ref) + "'");
  }
  return OpenSecret(secret_key, it->second, SecretAad(state.account_id, ref));
}

}  // namespace dialtone::domain
