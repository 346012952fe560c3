// PRIVATE to domain/: what the rules' translation units share. Not an interface.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands/account_commands.h"
#include "domain/account_rules.h"
#include "domain/account_state.h"
#include "events/event.h"
#include "model/schema.h"
#include "model/validate.h"

namespace dialtone::domain::internal {

// The resources `doc` (of `spec`'s kind) refers to: model::References plus, for a nested
// kind, its parent.
std::vector<model::ResourceRef> OutgoingRefs(const model::ResourceSpec& spec, const nlohmann::json& doc);

// A stored document of `kind`: a JSON object in the kind's current shape
// (model::UpgradeStored), or nullopt.
std::optional<nlohmann::json> ParseDocument(const std::string& text, std::string_view kind);

// The required settings present (their documented defaults unless `given` holds them);
// optional ones only as `given` has them.
events::AccountSettings WithDefaults(const events::AccountSettings& given);

// Clears the named fields of `settings`; false when a name is not a field.
bool ClearSettings(events::AccountSettings& settings,
                   const google::protobuf::RepeatedPtrField<std::string>& names);

// `event` stamped with the command's principal, correlation and causation ids.
events::EventData WithContext(events::EventData event, const commands::CommandContext& context);

// `n` random bytes as lowercase hex; the random source failing is an internal error.
Result<std::string> RandomHex(size_t n);

// The decisions of each family of commands (account_rules.cc dispatches to them; the
// account exists and is not closed, the command's own checks are left to each).
Result<AccountDecision, commands::CommandError> DecideResource(const AccountState& state,
                                                               const commands::AccountCommand& command,
                                                               std::chrono::system_clock::time_point now,
                                                               const DecideOptions& options);
Result<AccountDecision, commands::CommandError> DecideApiKey(const AccountState& state,
                                                             const commands::AccountCommand& command);
Result<AccountDecision, commands::CommandError> DecideBatch(const AccountState& state,
                                                            const commands::AccountCommand& command,
                                                            std::chrono::system_clock::time_point now,
                                                            const DecideOptions& options);

}  // namespace dialtone::domain::internal
