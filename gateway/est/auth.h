// Who an EST request is, and which project (account) it may act on. The key verification
// is every dialect's (gateway/auth.h): EST adds the Basic form of presenting it.
//
// Credentials: `Authorization: Basic base64(<key_id>:<secret>)` — the two halves of an
// account key "dtk_<key_id>_<secret>" — or `Authorization: Bearer <key>` (an account key
// or the platform admin key). projectId is an account id: the key's own account, a
// direct child of the key's reseller account, or any existing account for the admin.
// Every other project answers 404, exactly like one that does not exist.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/admin_auth.h"
#include "gateway/est/errors.h"
#include "gateway/http_types.h"
#include "gateway/auth.h"
#include "projections/config_view.h"

namespace dialtone::gateway::est {

// The bearer token a request presents: "Basic" credentials are turned into the account
// key they stand for. nullopt when no usable Authorization header is present.
std::optional<std::string> PresentedToken(const Request& request);

// 401 UNAUTHENTICATED when the credential is missing, malformed, unknown, wrong or
// revoked, or its account is not active; 403 when the key lacks the `config` scope.
Result<Principal, ApiError> Authenticate(const Request& request, const Authenticator& authenticator);

// The account `project_id` names, when `principal` may act on it (404 otherwise).
Result<std::string, ApiError> ResolveProject(std::string_view project_id, const Principal& principal,
                                             const projections::ConfigView& view);

}  // namespace dialtone::gateway::est
