// What one account stream folds into: the account, its configuration resources, API keys
// and sealed secrets, with the indexes its rules decide from. Plain data; the fold is
// account_fold.h, the rules account_rules.h.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "commands/account_commands.h"
#include "common/status.h"
#include "domain/secret_box.h"

namespace dialtone::domain {

using commands::ResourceKey;

enum class AccountStatus : uint8_t {
  kAbsent,     // no account.created in the stream yet
  kActive,
  kSuspended,
  kClosed,
};

// "active" | "suspended" | "closed" ("" for kAbsent).
std::string_view AccountStatusName(AccountStatus status);

// One configuration resource of the account, as stored.
struct StoredResource {
  nlohmann::json document;  // normalised (model/): secrets only as `*_ref`, ha1/ha1b kept
  uint64_t revision = 0;    // 1 on create, +1 per update: the ETag
  bool operator==(const StoredResource&) const = default;
};

// An API key of the account. The secret itself is never stored, only its SHA-256.
struct ApiKeyRecord {
  std::string key_id;
  std::string secret_sha256;         // lowercase hex
  std::vector<std::string> scopes;   // at least one; "*" = every scope
  std::string label;
  std::string created_by;            // principal that minted it
  int64_t created_ms = 0;
  bool revoked = false;
  bool operator==(const ApiKeyRecord&) const = default;
};

// The state of one account stream after folding its events.
struct AccountState {
  std::string account_id;            // empty while kAbsent
  std::string parent_id;
  AccountStatus status = AccountStatus::kAbsent;
  events::AccountSettings settings;  // required fields present once created; an optional
                                     // one absent is null (e.g. max_in: no ceiling)
  uint64_t version = 0;              // version of the last event folded (0 = none)
  uint64_t account_revision = 0;     // version of the last account.* event folded
  int64_t created_ms = 0;            // time of account.created
  int64_t updated_ms = 0;            // time of the last event

  // kind -> id -> resource.
  // (ids hashed: an account may hold many thousands of a kind, looked up on every write)
  std::map<std::string, std::unordered_map<std::string, StoredResource>> resources;
  std::map<std::string, ApiKeyRecord> api_keys;  // key_id -> key (revoked ones kept)
  std::map<std::string, SealedSecret> secrets;   // secret ref -> sealed value

  // Indexes derived from `resources` by every fold and snapshot decode (never stored):
  // the holder of each unique value (model::UniqueKeys of every scope: (name, value)),
  // and for each resource the resources whose references (model::References, plus the
  // parent of a nested kind) name it.
  std::map<std::pair<std::string, std::string>, ResourceKey> unique_holders;
  std::map<ResourceKey, std::set<ResourceKey>> referrers;

  bool exists() const { return status != AccountStatus::kAbsent; }
  // nullptr when the account has no such resource.
  const StoredResource* FindResource(std::string_view kind, std::string_view id) const;
};

// Field-by-field equality (protobuf messages have no operator==); the derived indexes
// are not compared.
bool SameAccountState(const AccountState& a, const AccountState& b);

// An account id is 1..64 characters of [A-Za-z0-9_-].
Status ValidateAccountId(std::string_view account_id);
// "account-<id>": the stream that holds the account's events.
std::string AccountStream(std::string_view account_id);

// The event kinds a destination may name (did_default_dest_kind).
bool IsValidDestinationKind(std::string_view kind);

// The view a command replies with.
commands::AccountView ToAccountView(const AccountState& state);

// The sealed value of `ref` in the account opened with the node key: kNotFound for an
// unknown ref, the errors of OpenSecret otherwise.
Result<std::string> OpenAccountSecret(const AccountState& state, std::string_view ref,
                                      std::string_view secret_key);

}  // namespace dialtone::domain
