#include "gateway/v1/media_routes.h"

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "gateway/v1/openapi.h"
#include "gateway/auth.h"
#include "gateway/v1/errors.h"

namespace dialtone::gateway::v1 {

namespace {

using Json = nlohmann::json;

std::string MediaTypeOf(const Headers& headers) {
  std::string type(headers.Get("content-type").value_or(""));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

// The raw encoding an upload declares with its media type; nullopt: not audio this API
// accepts. Headerless G.711 cannot be recognised from its bytes, so only its media type
// tells it.
std::optional<media::RawEncoding> EncodingOf(const std::string& type) {
  if (type == "audio/basic" || type == "audio/x-mulaw" || type == "audio/pcmu") return media::RawEncoding::kMuLaw;
  if (type == "audio/x-alaw" || type == "audio/pcma") return media::RawEncoding::kALaw;
  if (type.rfind("audio/", 0) == 0 || type == "application/octet-stream") return media::RawEncoding::kNone;
  return std::nullopt;
}

std::string MediaTypeOfFormat(const std::string& format) {
  if (format == "wav") return "audio/wav";
  if (format == "mp3") return "audio/mpeg";
  if (format == "ogg") return "audio/ogg";
  if (format == "flac") return "audio/flac";
  if (format == "ul") return "audio/basic";
  if (format == "al") return "audio/x-alaw";
  return "application/octet-stream";
}

// The {id} of "/v1/media/{id}/content"; nullopt for any other path.
std::optional<std::string> ContentPathId(std::string_view path) {
  const std::vector<std::string_view> segments = SplitPath(path);
  if (segments.size() != 4 || segments[0] != "v1" || segments[1] != "media" || segments[3] != "content") {
    return std::nullopt;
  }
  auto id = PercentDecode(segments[2], false);
  if (!id || id->empty()) return std::nullopt;
  return id;
}

ApiError UploadError(const media::UploadStatus& status) {
  switch (status.failure) {
    case media::UploadFailure::kTooLarge: return ApiError::PayloadTooLarge(status.status.message());
    case media::UploadFailure::kUnsupportedFormat: return ApiError::UnsupportedMediaType(status.status.message());
    case media::UploadFailure::kMisuse:
    case media::UploadFailure::kIO:
    case media::UploadFailure::kNone: break;
  }
  return ApiError::Internal("the upload could not be stored: " + status.status.message());
}

// The body of an upload, written into the media store as it arrives.
class UploadBody final : public StreamedBody {
 public:
  UploadBody(std::unique_ptr<media::Upload> upload, std::string request_id)
      : upload_(std::move(upload)), request_id_(std::move(request_id)) {}
  bool Write(std::string_view chunk) override {
    media::UploadStatus status = upload_->Write(chunk);
    if (status.ok()) return true;
    failure_ = std::move(status);
    return false;
  }
  Response Refusal() const override { return RenderApiError(request_id_, UploadError(failure_)); }
  Result<media::MediaInfo, media::UploadStatus> Commit() { return upload_->Commit(); }

 private:
  std::unique_ptr<media::Upload> upload_;
  std::string request_id_;
  media::UploadStatus failure_;
};

}  // namespace

struct MediaRoutes::Impl {
  ConfigApi& api;
  commands::AccountService& accounts;
  const projections::ConfigView& view;
  media::MediaStore& store;
  const Authenticator& authenticator;
  MediaRoutesOptions options;

  Impl(ConfigApi& a, commands::AccountService& s, const projections::ConfigView& v, media::MediaStore& m,
       const Authenticator& k, MediaRoutesOptions o)
      : api(a), accounts(s), view(v), store(m), authenticator(k), options(o) {}

  // Decides from the head of PUT /v1/media/{id}/content: refuse, or stream into the store.
  BodyStreaming Stream(const Request& head) {
    BodyStreaming out;
    if (head.method != "PUT") return out;
    const std::optional<std::string> id = ContentPathId(head.path);
    if (!id) return out;
    auto refuse = [&](const ApiError& error) {
      out.refusal = RenderApiError(head.request_id, error);
      return out;
    };
    const std::optional<media::RawEncoding> encoding = EncodingOf(MediaTypeOf(head.headers));
    if (!encoding) {
      return refuse(ApiError::UnsupportedMediaType(
          "upload the audio as its own media type (audio/wav, audio/mpeg, audio/ogg, audio/flac, audio/basic, "
          "audio/x-alaw) or application/octet-stream"));
    }
    Request request = head;
    auto query = ParseQueryString(head.query_string);
    if (!query) return refuse(ApiError::InvalidArgument("the query string has malformed percent-encoding"));
    request.query = std::move(*query);
    auto principal = authenticator.Authenticate(request);
    if (!principal.ok()) return refuse(principal.error());
    if (!principal->HasScope(kConfigScope)) {
      return refuse(ApiError::PermissionDenied("this route needs the 'config' scope (or '*')"));
    }
    auto account = ResolveActingAccount(request, *principal, view);
    if (!account.ok()) return refuse(account.error());
    auto row = view.Get(*account, "media_file", *id);
    if (!row.ok() || !row->has_value()) return refuse(ApiError::NotFound("media_file '" + *id + "' not found"));
    auto upload = store.BeginUpload(options.max_upload_bytes, *encoding);
    if (!upload.ok()) return refuse(ApiError::Internal("cannot start the upload: " + upload.status().message()));
    out.sink = std::make_shared<UploadBody>(std::move(upload).value(), head.request_id);
    out.max_bytes = options.max_upload_bytes;
    return out;
  }

  Result<Response, ApiError> PutContent(const Request& request, const Principal& principal, const std::string& account) {
    auto* body = dynamic_cast<UploadBody*>(request.streamed_body.get());
    if (body == nullptr) return ApiError::InvalidArgument("the request must carry the audio bytes as its body");
    const std::string id(request.PathParam("id").value_or(""));
    auto info = body->Commit();
    if (!info.ok()) return UploadError(info.error());
    commands::AccountCommand command;
    command.kind = commands::AccountCommand::Kind::kResource;
    command.account_id = account;
    command.resource.op = commands::ResourceCommand::Op::kPatch;
    command.resource.kind = "media_file";
    command.resource.id = id;
    command.resource.body = Json::object();
    command.resource.server_fields = {{"object_key", info->object_key},
                                      {"format", info->format},
                                      {"duration_ms", info->duration_ms},
                                      {"size_bytes", info->size_bytes}};
    command.context.principal = principal.CommandPrincipal();
    command.context.correlation_id = request.request_id;
    auto result = accounts.ExecuteAndWait(std::move(command));
    if (!result.ok()) return FromCommandError(result.error());
    if (result->position > 0 && !view.WaitForPosition(result->position, options.view_wait)) {
      return ApiError::Unavailable("the upload was stored but the view did not show it in time; retry the read");
    }
    if (!result->resource) return ApiError::Internal("the account service returned no resource");
    Response response = JsonResponse(200, result->resource->document);
    response.headers.Set("etag", "\"" + std::to_string(result->resource->revision) + "\"");
    return response;
  }

  Result<Response, ApiError> GetContent(const Request& request, const Principal&, const std::string& account) {
    const std::string id(request.PathParam("id").value_or(""));
    auto row = view.Get(account, "media_file", id);
    if (!row.ok() || !row->has_value()) return ApiError::NotFound("media_file '" + id + "' not found");
    const Json& doc = (*row)->document;
    auto key = doc.find("object_key");
    if (key == doc.end() || !key->is_string()) return ApiError::NotFound("media_file '" + id + "' has no content yet");
    auto in = store.OpenForRead(key->get<std::string>());
    if (!in.ok()) return ApiError::Internal("the stored audio cannot be read: " + in.status().message());
    std::string bytes((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
    const auto format = doc.find("format");
    return Response::Text(200, std::move(bytes),
                          MediaTypeOfFormat(format != doc.end() && format->is_string() ? format->get<std::string>() : ""));
  }
};

MediaRoutes::MediaRoutes(ConfigApi& api, commands::AccountService& accounts, const projections::ConfigView& view,
                         media::MediaStore& store, const Authenticator& authenticator, MediaRoutesOptions options)
    : impl_(std::make_unique<Impl>(api, accounts, view, store, authenticator, options)) {}

MediaRoutes::~MediaRoutes() = default;

Status MediaRoutes::AddRoutes(Router& router) {
  Impl* impl = impl_.get();
  const std::vector<std::string> scopes = {std::string(kConfigScope)};
  Status s = impl->api.AddAccountRoute(router, "PUT", "/media/{id}/content", scopes,
                                       [impl](const Request& r, const Principal& p, const std::string& a) {
                                         return impl->PutContent(r, p, a);
                                       });
  if (!s.ok()) return s;
  return impl->api.AddAccountRoute(router, "GET", "/media/{id}/content", scopes,
                                   [impl](const Request& r, const Principal& p, const std::string& a) {
                                     return impl->GetContent(r, p, a);
                                   });
}

BodyStreamer MediaRoutes::Streamer() {
  return [impl = impl_.get()](const Request& head) { return impl->Stream(head); };
}

void MediaRoutes::DescribeRoutes(RouteDocument& document) const {
  using namespace openapi;
  const Json media_id = Param("id", "path", kString, true);
  const Json audio = {{"type", "string"}, {"contentMediaType", "audio/*"}};
  document.paths["/media/{id}/content"]["put"] = {
      {"tags", {"media_file"}}, {"summary", "upload the audio (streamed, at most 64 MiB)"}, {"operationId", "upload_media"},
      {"parameters", With(AccountParams(), {media_id})},
      {"requestBody", {{"required", true},
                       {"content", {{"audio/*", {{"schema", audio}}}, {"application/octet-stream", {{"schema", audio}}}}}}},
      {"responses", Responses({{200, JsonContent(Ref("MediaFile"))}}, kWriteErrors)}};
  document.paths["/media/{id}/content"]["get"] = {
      {"tags", {"media_file"}}, {"summary", "the stored audio"}, {"operationId", "download_media"},
      {"parameters", With(AccountParams(), {media_id})},
      {"responses", Responses({{200, Json{{"audio/*", {{"schema", audio}}}, {"application/octet-stream", {{"schema", audio}}}}}},
                              kReadErrors)}};
}

}  // namespace dialtone::gateway::v1
