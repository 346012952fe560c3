#include "gateway/v1/media_routes.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "gateway/multipart.h"
#include "model/schema.h"
#include "model/validate.h"
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

// True for the path "/v1/media" (the collection).
bool IsMediaCollection(std::string_view path) {
  const std::vector<std::string_view> segments = SplitPath(path);
  return segments.size() == 2 && segments[0] == "v1" && segments[1] == "media";
}

constexpr size_t kMaxFieldBytes = 64 * 1024;  // every form field of a multipart upload together

// A one-step upload: POST /v1/media as multipart/form-data, one file part (its bytes
// streamed into the media store) and the media file's fields as form fields.
class MultipartMediaBody final : public StreamedBody {
 public:
  MultipartMediaBody(media::MediaStore& store, uint64_t max_file_bytes, std::string boundary, std::string request_id)
      : store_(store), max_file_bytes_(max_file_bytes), request_id_(std::move(request_id)),
        parser_(std::move(boundary), Handlers()) {}

  bool Write(std::string_view chunk) override {
    if (!parser_.Write(chunk)) {
      if (failure_.ok()) failure_ = ApiError::InvalidArgument("the multipart body is malformed: " + parser_.error());
      upload_.reset();
      return false;
    }
    return true;
  }
  Response Refusal() const override { return RenderApiError(request_id_, failure_); }

  // Once the whole body arrived: the form fields, and the file's name (nullopt: no name).
  struct Form {
    std::map<std::string, std::string> fields;
    std::optional<std::string> filename;
  };
  Result<Form, ApiError> Finish() {
    if (!failure_.ok()) return failure_;
    if (!parser_.Finish()) {
      upload_.reset();
      return ApiError::InvalidArgument("the multipart body is malformed: " + parser_.error());
    }
    if (!upload_) return ApiError::InvalidArgument("the upload has no file part", {{"file", "is required"}});
    return Form{fields_, filename_};
  }
  // Stores the file (after Finish and the fields' validation).
  Result<media::MediaInfo, media::UploadStatus> Commit() { return upload_->Commit(); }

 private:
  MultipartParser::Handler Handlers() {
    MultipartParser::Handler h;
    h.begin = [this](const MultipartPart& part, std::string* error) {
      current_field_.reset();
      if (part.filename || part.name == "file") {
        if (part.name != "file") return Refuse(ApiError::InvalidArgument("a file part must be named 'file'", {{part.name, "is not the file part"}}), error);
        if (upload_ || had_file_) return Refuse(ApiError::InvalidArgument("the upload has two file parts", {{"file", "sent twice"}}), error);
        const std::string type = part.content_type.empty() ? "application/octet-stream" : MediaTypeOf(TypeHeader(part.content_type));
        const std::optional<media::RawEncoding> encoding = EncodingOf(type);
        if (!encoding) return Refuse(ApiError::UnsupportedMediaType("the file part's type '" + type + "' is not audio"), error);
        auto upload = store_.BeginUpload(max_file_bytes_, *encoding);
        if (!upload.ok()) return Refuse(ApiError::Internal("cannot start the upload: " + upload.status().message()), error);
        upload_ = std::move(upload).value();
        had_file_ = true;
        if (part.filename && !part.filename->empty()) filename_ = *part.filename;
        return true;
      }
      if (fields_.contains(part.name)) return Refuse(ApiError::InvalidArgument("the field '" + part.name + "' is sent twice", {{part.name, "sent twice"}}), error);
      current_field_ = part.name;
      fields_[part.name];
      return true;
    };
    h.data = [this](std::string_view bytes, std::string* error) {
      if (current_field_) {
        field_bytes_ += bytes.size();
        if (field_bytes_ > kMaxFieldBytes) return Refuse(ApiError::PayloadTooLarge("the form fields are larger than 64 KiB"), error);
        fields_[*current_field_].append(bytes);
        return true;
      }
      if (!upload_) return true;  // no part open
      media::UploadStatus status = upload_->Write(bytes);
      if (!status.ok()) {
        upload_.reset();
        return Refuse(UploadError(status), error);
      }
      return true;
    };
    h.end = [this](std::string*) {
      current_field_.reset();
      return true;
    };
    return h;
  }
  bool Refuse(ApiError why, std::string* error) {
    *error = why.message;
    failure_ = std::move(why);
    return false;
  }
  static Headers TypeHeader(const std::string& type) {
    Headers h;
    h.Set("content-type", type);
    return h;
  }

  media::MediaStore& store_;
  const uint64_t max_file_bytes_;
  const std::string request_id_;
  MultipartParser parser_;
  std::unique_ptr<media::Upload> upload_;
  bool had_file_ = false;
  std::optional<std::string> filename_;
  std::map<std::string, std::string> fields_;
  std::optional<std::string> current_field_;
  size_t field_bytes_ = 0;
  ApiError failure_;
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

  // Decides from the head of PUT /v1/media/{id}/content (or of a multipart POST
  // /v1/media): refuse, or stream into the store.
  BodyStreaming Stream(const Request& head) {
    BodyStreaming out;
    auto refuse = [&](const ApiError& error) {
      out.refusal = RenderApiError(head.request_id, error);
      return out;
    };
    if (head.method == "POST" && IsMediaCollection(head.path)) {
      const std::string type(head.headers.Get("content-type").value_or(""));
      if (MediaTypeOf(head.headers) != "multipart/form-data") return out;  // the JSON create
      const std::optional<std::string> boundary = MultipartParser::BoundaryOf(type);
      if (!boundary) {
        return refuse(ApiError::InvalidArgument("multipart/form-data needs a boundary parameter of 1 to 70 characters",
                                                {{"content-type", "has no usable boundary"}}));
      }
      auto account = Authorize(head);
      if (!account.ok()) return refuse(account.error());
      out.sink = std::make_shared<MultipartMediaBody>(store, options.max_upload_bytes, *boundary, head.request_id);
      out.max_bytes = options.max_upload_bytes + kMaxFieldBytes + 64 * 1024;  // the file, the fields, the framing
      return out;
    }
    if (head.method != "PUT") return out;
    const std::optional<std::string> id = ContentPathId(head.path);
    if (!id) return out;
    const std::optional<media::RawEncoding> encoding = EncodingOf(MediaTypeOf(head.headers));
    if (!encoding) {
      return refuse(ApiError::UnsupportedMediaType(
          "upload the audio as its own media type (audio/wav, audio/mpeg, audio/ogg, audio/flac, audio/basic, "
          "audio/x-alaw) or application/octet-stream"));
    }
    auto account = Authorize(head);
    if (!account.ok()) return refuse(account.error());
    auto row = view.Get(*account, "media_file", *id);
    if (!row.ok() || !row->has_value()) return refuse(ApiError::NotFound("media_file '" + *id + "' not found"));
    auto upload = store.BeginUpload(options.max_upload_bytes, *encoding);
    if (!upload.ok()) return refuse(ApiError::Internal("cannot start the upload: " + upload.status().message()));
    out.sink = std::make_shared<UploadBody>(std::move(upload).value(), head.request_id);
    out.max_bytes = options.max_upload_bytes;
    return out;
  }

  // The account a streamed request acts on, from its head alone (before any byte of the
  // body is read): authenticated, with the `config` scope.
  Result<std::string, ApiError> Authorize(const Request& head) const {
    Request request = head;
    auto query = ParseQueryString(head.query_string);
    if (!query) return ApiError::InvalidArgument("the query string has malformed percent-encoding");
    request.query = std::move(*query);
    auto principal = authenticator.Authenticate(request);
    if (!principal.ok()) return principal.error();
    if (!principal->HasScope(kConfigScope)) return ApiError::PermissionDenied("this route needs the 'config' scope (or '*')");
    return ResolveActingAccount(request, *principal, view);
  }

  // POST /v1/media (multipart): the fields validated as a create before the file is
  // stored (a refused upload stores nothing), then the media file created with the file's
  // server fields in one command.
  Result<Response, ApiError> CreateWithContent(const Request& request, const Principal& principal,
                                               const std::string& account) {
    auto* body = dynamic_cast<MultipartMediaBody*>(request.streamed_body.get());
    if (body == nullptr) return ApiError::InvalidArgument("the request must carry a multipart body");
    auto form = body->Finish();
    if (!form.ok()) return form.error();
    const model::ResourceSpec* spec = model::FindResource("media_file");
    Json fields = Json::object();
    std::vector<ErrorDetail> errors;
    for (const auto& [name, value] : form->fields) {
      const model::FieldSpec* field = spec->Field(name);
      if (field != nullptr && (field->type == model::FieldType::kInt || field->type == model::FieldType::kBool01)) {
        char* end = nullptr;
        const long long n = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || end == nullptr || *end != '\0') {
          errors.push_back({name, "must be an integer"});
          continue;
        }
        fields[name] = n;
      } else {
        fields[name] = value;
      }
    }
    if (!errors.empty()) return ApiError::InvalidArgument("the upload's fields are not valid", std::move(errors));
    if (!fields.contains("name") && form->filename) fields["name"] = *form->filename;
    auto normalized = model::NormalizeCreate(*spec, fields);
    if (!normalized.ok()) {
      std::vector<ErrorDetail> details;
      for (const auto& e : normalized.error().errors) details.push_back({e.path, e.message});
      return ApiError::InvalidArgument(normalized.error().status.message(), std::move(details));
    }
    auto info = body->Commit();
    if (!info.ok()) return UploadError(info.error());
    commands::AccountCommand command;
    command.kind = commands::AccountCommand::Kind::kResource;
    command.account_id = account;
    command.resource.op = commands::ResourceCommand::Op::kCreate;
    command.resource.kind = "media_file";
    command.resource.body = std::move(fields);
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
    Response response = JsonResponse(201, result->resource->document);
    response.headers.Set("etag", "\"" + std::to_string(result->resource->revision) + "\"");
    response.headers.Set("location", "/v1/media/" + result->resource->id);
    return response;
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
  impl->api.AddStreamedCreate("media_file", [impl](const Request& r, const Principal& p, const std::string& a) {
    return impl->CreateWithContent(r, p, a);
  });
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
