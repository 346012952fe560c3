#include "media/media_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "media/audio_probe.h"

namespace dialtone::media {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKeyPrefix = "sha256/";
constexpr size_t kHexDigits = 64;
constexpr std::string_view kTempPrefix = "upload-";

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::string Errno(int error) { return std::strerror(error); }

Status IOErrorAt(const std::string& what, const fs::path& path, int error) {
  return Status::IOError(what + " " + path.string() + ": " + Errno(error));
}

// Makes a directory entry change (create, rename, unlink) inside `dir` durable.
Status FsyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IOErrorAt("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return IOErrorAt("cannot fsync directory", dir, error);
  return Status::Ok();
}

// Creates `dir` if missing; fsyncs its parent when it was created.
Status EnsureDirectory(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return FsyncDirectory(dir.parent_path());
  if (errno != EEXIST) return IOErrorAt("cannot create directory", dir, errno);
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) return IOErrorAt("cannot stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::IOError(dir.string() + " is not a directory");
  return Status::Ok();
}

std::string ToHex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return hex;
}

}  // namespace

bool IsValidObjectKey(std::string_view key) {
  if (key.size() != kKeyPrefix.size() + 2 + 1 + kHexDigits) return false;
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return false;
  const std::string_view fanout = key.substr(kKeyPrefix.size(), 2);
  if (key[kKeyPrefix.size() + 2] != '/') return false;
  const std::string_view hex = key.substr(kKeyPrefix.size() + 3);
  for (char c : hex) {
    if (!IsLowerHex(c)) return false;
  }
  return hex.substr(0, 2) == fanout;
}

// ---- Upload ---------------------------------------------------------------------------

struct Upload::Hasher {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Hasher() { EVP_MD_CTX_free(ctx); }
};

Upload::Upload(MediaStore* store, int fd, fs::path temp_path, uint64_t max_bytes,
               RawEncoding raw, std::unique_ptr<Hasher> hasher)
    : store_(store),
      fd_(fd),
      temp_path_(std::move(temp_path)),
      max_bytes_(max_bytes),
      raw_(raw),
      hasher_(std::move(hasher)) {}

Upload::~Upload() { Abort(); }

void Upload::Abort() {
  if (state_ == State::kOpen) Discard();
}

void Upload::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  ::unlink(temp_path_.c_str());
  store_->ForgetTemporaryFile(temp_path_.filename().string());
  state_ = State::kEnded;
}

UploadStatus Upload::Fail(UploadFailure failure, Status status) {
  Discard();
  return {std::move(status), failure};
}

UploadStatus Upload::Write(std::string_view chunk) {
  if (state_ != State::kOpen) {
    return {Status::FailedPrecondition("the upload has already ended"), UploadFailure::kMisuse};
  }
  if (chunk.size() > max_bytes_ - bytes_written_) {
    return Fail(UploadFailure::kTooLarge,
                Status::InvalidArgument("media too large: more than " +
                                        std::to_string(max_bytes_) + " bytes"));
  }
  if (EVP_DigestUpdate(hasher_->ctx, chunk.data(), chunk.size()) != 1) {
    return Fail(UploadFailure::kIO, Status::Internal("SHA-256 update failed"));
  }
  const char* data = chunk.data();
  size_t left = chunk.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(UploadFailure::kIO, IOErrorAt("cannot write", temp_path_, errno));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  bytes_written_ += chunk.size();
  return UploadStatus::Ok();
}

Result<MediaInfo, UploadStatus> Upload::Commit() {
  if (state_ != State::kOpen) {
    return UploadStatus{Status::FailedPrecondition("the upload has already ended"),
                        UploadFailure::kMisuse};
  }
  if (::fsync(fd_) != 0) {
    return Fail(UploadFailure::kIO, IOErrorAt("cannot fsync", temp_path_, errno));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_DigestFinal_ex(hasher_->ctx, digest, &digest_size) != 1 || digest_size != 32) {
    return Fail(UploadFailure::kIO, Status::Internal("SHA-256 finalisation failed"));
  }

  if (bytes_written_ == 0) {
    return Fail(UploadFailure::kUnsupportedFormat,
                Status::InvalidArgument("unsupported media format: empty upload"));
  }
  Result<AudioProbe> probe = ProbeAudioFile(temp_path_, raw_);
  if (!probe.ok()) {
    const UploadFailure failure = probe.status().code() == ErrorCode::kInvalidArgument
                                      ? UploadFailure::kUnsupportedFormat
                                      : UploadFailure::kIO;
    return Fail(failure, probe.status());
  }

  MediaInfo info;
  info.sha256 = ToHex(digest, digest_size);
  info.object_key = std::string(kKeyPrefix) + info.sha256.substr(0, 2) + "/" + info.sha256;
  info.size_bytes = bytes_written_;
  info.format = std::move(probe->format);
  info.duration_ms = probe->duration_ms;
  info.sample_rate = probe->sample_rate;
  info.channels = probe->channels;

  const fs::path final_path = store_->PathForKey(info.object_key);
  if (Status s = EnsureDirectory(final_path.parent_path()); !s.ok()) {
    return Fail(UploadFailure::kIO, std::move(s));
  }
  // Identical bytes may already be stored: the rename replaces them with the same
  // content, so the key always names a complete file once Commit returns.
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    return Fail(UploadFailure::kIO, IOErrorAt("cannot move upload to", final_path, errno));
  }
  ::close(fd_);
  fd_ = -1;
  state_ = State::kCommitted;
  store_->ForgetTemporaryFile(temp_path_.filename().string());
  if (Status s = FsyncDirectory(final_path.parent_path()); !s.ok()) {
    return UploadStatus{std::move(s), UploadFailure::kIO};
  }
  return info;
}

// ---- MediaStore -----------------------------------------------------------------------

MediaStore::MediaStore(fs::path root)
    : root_(std::move(root)), temp_dir_(root_ / "tmp"), objects_dir_(root_ / "sha256") {}

MediaStore::~MediaStore() {
  std::lock_guard lock(mutex_);
  assert(live_temp_names_.empty() && "a MediaStore must outlive its uploads");
}

Result<std::unique_ptr<MediaStore>> MediaStore::Open(const fs::path& root) {
  if (root.empty()) return Status::InvalidArgument("media folder path is empty");
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create media folder " + root.string() + ": " + ec.message());
  std::unique_ptr<MediaStore> store(new MediaStore(root));
  for (const fs::path& dir : {store->root_, store->temp_dir_, store->objects_dir_}) {
    if (Status s = EnsureDirectory(dir); !s.ok()) return s;
  }
  return store;
}

Result<std::unique_ptr<Upload>> MediaStore::BeginUpload(uint64_t max_bytes, RawEncoding raw) {
  if (max_bytes == 0) return Status::InvalidArgument("max_bytes must be positive");
  std::string pattern = (temp_dir_ / (std::string(kTempPrefix) + "XXXXXX")).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return IOErrorAt("cannot create temporary file in", temp_dir_, errno);
  fs::path temp_path(pattern);

  auto hasher = std::make_unique<Upload::Hasher>();
  if (hasher->ctx == nullptr || EVP_DigestInit_ex(hasher->ctx, EVP_sha256(), nullptr) != 1) {
    ::close(fd);
    ::unlink(temp_path.c_str());
    return Status::Internal("cannot initialise SHA-256");
  }
  {
    std::lock_guard lock(mutex_);
    live_temp_names_.insert(temp_path.filename().string());
  }
  return std::unique_ptr<Upload>(
      new Upload(this, fd, std::move(temp_path), max_bytes, raw, std::move(hasher)));
}

fs::path MediaStore::PathForKey(std::string_view valid_key) const {
  assert(IsValidObjectKey(valid_key));
  return root_ / fs::path(std::string(valid_key));
}

void MediaStore::ForgetTemporaryFile(const std::string& name) {
  std::lock_guard lock(mutex_);
  live_temp_names_.erase(name);
}

Result<std::filesystem::path> MediaStore::Locate(std::string_view object_key) const {
  Result<bool> exists = Exists(object_key);
  if (!exists.ok()) return exists.status();
  if (!*exists) return Status::NotFound("no media object " + std::string(object_key));
  return PathForKey(object_key);
}

Result<std::ifstream> MediaStore::OpenForRead(std::string_view object_key) const {
  Result<fs::path> path = Locate(object_key);
  if (!path.ok()) return path.status();
  std::ifstream in(*path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path->string());
  return in;
}

Result<bool> MediaStore::Exists(std::string_view object_key) const {
  if (!IsValidObjectKey(object_key)) {
    return Status::InvalidArgument("malformed media object key");
  }
  const fs::path path = PathForKey(object_key);
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode);
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return IOErrorAt("cannot stat", path, errno);
}

Status MediaStore::Remove(std::string_view object_key) {
  if (!IsValidObjectKey(object_key)) {
    return Status::InvalidArgument("malformed media object key");
  }
  const fs::path path = PathForKey(object_key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no media object " + std::string(object_key));
    }
    return IOErrorAt("cannot remove", path, errno);
  }
  return FsyncDirectory(path.parent_path());
}

Result<std::vector<std::string>> MediaStore::ListObjects() const {
  std::vector<std::string> keys;
  std::error_code ec;
  fs::directory_iterator fanouts(objects_dir_, ec);
  if (ec) return Status::IOError("cannot list " + objects_dir_.string() + ": " + ec.message());
  for (const fs::directory_entry& fanout : fanouts) {
    if (!fanout.is_directory(ec)) continue;
    fs::directory_iterator objects(fanout.path(), ec);
    if (ec) return Status::IOError("cannot list " + fanout.path().string() + ": " + ec.message());
    for (const fs::directory_entry& object : objects) {
      std::string key = "sha256/" + fanout.path().filename().string() + "/" + object.path().filename().string();
      if (IsValidObjectKey(key) && object.is_regular_file(ec)) keys.push_back(std::move(key));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<size_t> MediaStore::CleanTemporaryFiles() {
  std::error_code ec;
  fs::directory_iterator it(temp_dir_, ec);
  if (ec) return Status::IOError("cannot list " + temp_dir_.string() + ": " + ec.message());
  size_t removed = 0;
  std::lock_guard lock(mutex_);
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (live_temp_names_.count(name) != 0) continue;
    if (!entry.is_regular_file(ec)) continue;
    if (::unlink(entry.path().c_str()) != 0) {
      if (errno == ENOENT) continue;
      return IOErrorAt("cannot remove", entry.path(), errno);
    }
    ++removed;
  }
  if (removed > 0) {
    if (Status s = FsyncDirectory(temp_dir_); !s.ok()) return s;
  }
  return removed;
}

}  // namespace dialtone::media
