// OAuth2 client credentials (RFC 6749 §4.4), the way the Sinch SDKs authenticate:
//   POST /oauth2/token   grant_type=client_credentials [&scope=…]
//                        (application/x-www-form-urlencoded), the client authenticated by
//                        `Authorization: Basic base64(key_id:secret)` — the two halves of an
//                        account key dtk_<key_id>_<secret> — or by client_id/client_secret
//                        form fields (not both)
//   -> 200 {access_token, token_type: "bearer", expires_in, scope}, Cache-Control: no-store
// The token (access_token.h) is accepted as `Authorization: Bearer` by /v1 and /est until
// it expires, and only while its key is not revoked and its account is active. Errors in
// the RFC's shape (§5.2): {"error": "invalid_request" | "invalid_client" |
// "unsupported_grant_type" | "invalid_scope" | …, "error_description": "…"}; a failed
// client authentication is 401 with `WWW-Authenticate: Basic realm="dialtone"`.
#pragma once

#include <cstdint>

#include "gateway/auth.h"
#include "gateway/dialect.h"

namespace dialtone::gateway::oauth2 {

struct TokenRoutesOptions {
  int64_t lifetime_s = 3600;  // expires_in of every token
};

// The token endpoint's dialect: prefix /oauth2, the RFC 6749 error shape, and its document.
DialectOptions OAuth2Dialect();

class TokenRoutes final : public RouteGroup {
 public:
  // `authenticator` (with its tokens) must outlive the routes' requests.
  explicit TokenRoutes(const Authenticator& authenticator, TokenRoutesOptions options = {})
      : authenticator_(authenticator), options_(options) {}
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;

 private:
  Response Token(const Request& request) const;

  const Authenticator& authenticator_;
  TokenRoutesOptions options_;
};

}  // namespace dialtone::gateway::oauth2
