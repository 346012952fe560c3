// The bytes of media files (kind `media_file`, whose CRUD ConfigApi generates):
//   POST /v1/media               multipart/form-data (curl -F file=@hello.wav -F kind=prompt):
//                                one `file` part (its Content-Type as below) and the file's
//                                fields as form fields (`name` defaults to the file name);
//                                the fields are validated before the file is stored, then
//                                the file is created with its content in one command: 201.
//                                No boundary, a truncated body, two files, no file, a bad
//                                field: 400 (415: not audio), nothing stored or created.
//                                (A JSON POST is the generated create.)
//   PUT /v1/media/{id}/content   audio bytes (Content-Type audio/wav, audio/mpeg, audio/ogg,
//                                audio/flac, audio/basic or audio/x-mulaw (raw G.711 µ-law),
//                                audio/x-alaw, application/octet-stream), streamed to disk,
//                                probed, stored content-addressed; sets the file's
//                                object_key, format, duration_ms, size_bytes; 200 + the file
//   GET /v1/media/{id}/content   the stored bytes (404 before an upload)
// Uploads are streamed (HttpServerOptions::body_streamer = Streamer()), up to
// max_upload_bytes: the request is authenticated and the media file looked up from the
// head, before a byte of the body is read. Scope `config`.
#pragma once

#include <cstdint>
#include <memory>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/admin_auth.h"
#include "gateway/auth.h"
#include "gateway/dialect.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "gateway/v1/config_api.h"
#include "media/media_store.h"
#include "projections/config_view.h"

namespace dialtone::gateway::v1 {

struct MediaRoutesOptions {
  uint64_t max_upload_bytes = 64ull << 20;
  std::chrono::milliseconds view_wait{5000};
};

// A route group of the /v1 dialect, behind ConfigApi's authentication and workers.
class MediaRoutes final : public RouteGroup {
 public:
  // Every reference must outlive this object and the requests its routes receive.
  MediaRoutes(ConfigApi& api, commands::AccountService& accounts, const projections::ConfigView& view,
              media::MediaStore& store, const Authenticator& authenticator, MediaRoutesOptions options = {});
  ~MediaRoutes() override;

  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;
  // Streams the body of PUT /v1/media/{id}/content into the media store; everything else
  // is left to the server's default.
  BodyStreamer Streamer();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::gateway::v1
