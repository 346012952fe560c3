// Content-addressed storage of uploaded audio (prompts, music on hold, greetings).
//
// A MediaStore owns one folder (normally <data>/media). Uploads stream into a temporary
// file while their SHA-256 is computed; Commit() probes the audio (format, duration) and
// renames the file atomically to a path derived from the hash, so identical bytes are
// stored once and an object key never names two different contents. Nothing here knows
// about accounts or references: the caller records object keys in its resources and
// decides when an object is garbage (Remove).
//
// Thread-safety: MediaStore methods may be called concurrently. One Upload is used by one
// thread at a time. The MediaStore must outlive every Upload it began.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dialtone::media {

// What Commit() learned about a stored object.
struct MediaInfo {
  std::string object_key;  // "sha256/<first 2 hex digits>/<64 hex digits>"
  std::string sha256;      // 64 lowercase hex digits of the stored bytes
  uint64_t size_bytes = 0;
  std::string format;      // "wav", "flac", "ogg", "mp3", "ul" or "al" (see README.md)
  int64_t duration_ms = 0; // decoded frames * 1000 / sample_rate, rounded down
  int sample_rate = 0;     // Hz
  int channels = 0;
};

// Headerless G.711 cannot be recognised from its bytes; the uploader declares it (e.g. from
// a .ul/.al file name). Such uploads are read as 8 kHz mono.
enum class RawEncoding { kNone, kMuLaw, kALaw };

// Why an upload was refused, for callers that map failures to protocol answers
// (e.g. HTTP 413 / 415). `status` carries the code and a one-line message.
enum class UploadFailure {
  kNone,
  kTooLarge,           // more than max_bytes were written (kInvalidArgument)
  kUnsupportedFormat,  // not audio this store accepts, or not decodable (kInvalidArgument)
  kMisuse,             // Write/Commit after the upload ended (kFailedPrecondition)
  kIO,                 // the filesystem failed (kIOError)
};

struct UploadStatus {
  Status status;
  UploadFailure failure = UploadFailure::kNone;

  static UploadStatus Ok() { return {}; }
  bool ok() const { return status.ok(); }
};

class MediaStore;

// One upload in progress. Ends in exactly one of: Commit() succeeded (the object is
// stored), a failed Write/Commit (the temporary file is already removed), Abort(), or
// destruction (same as Abort()).
class Upload {
 public:
  ~Upload();
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  // Appends a chunk. Exceeding max_bytes fails with kTooLarge and removes the temporary
  // file; the upload is then over.
  UploadStatus Write(std::string_view chunk);

  // Probes the audio and moves the bytes into place under their content address.
  // Committing bytes that are already stored yields the same key and one file.
  // Undecodable or unaccepted audio fails with kUnsupportedFormat and stores nothing.
  Result<MediaInfo, UploadStatus> Commit();

  // Discards the upload; idempotent. No effect after a successful Commit().
  void Abort();

  uint64_t bytes_written() const { return bytes_written_; }

 private:
  friend class MediaStore;
  struct Hasher;
  enum class State { kOpen, kCommitted, kEnded };

  Upload(MediaStore* store, int fd, std::filesystem::path temp_path, uint64_t max_bytes,
         RawEncoding raw, std::unique_ptr<Hasher> hasher);
  // Closes and removes the temporary file and ends the upload.
  void Discard();
  UploadStatus Fail(UploadFailure failure, Status status);

  MediaStore* store_;
  int fd_;
  std::filesystem::path temp_path_;
  uint64_t max_bytes_;
  RawEncoding raw_;
  std::unique_ptr<Hasher> hasher_;
  uint64_t bytes_written_ = 0;
  State state_ = State::kOpen;
};

class MediaStore {
 public:
  // Opens (creating if missing) the store folder and its subfolders. kIOError if the
  // folder cannot be created or is not a directory.
  static Result<std::unique_ptr<MediaStore>> Open(const std::filesystem::path& root);

  ~MediaStore();
  MediaStore(const MediaStore&) = delete;
  MediaStore& operator=(const MediaStore&) = delete;

  // Starts an upload of at most max_bytes bytes (must be > 0).
  Result<std::unique_ptr<Upload>> BeginUpload(uint64_t max_bytes,
                                              RawEncoding raw = RawEncoding::kNone);

  // Object keys from outside are checked strictly (see IsValidObjectKey): a malformed key
  // is kInvalidArgument, a well-formed key with no object is kNotFound.
  Result<std::filesystem::path> Locate(std::string_view object_key) const;
  Result<std::ifstream> OpenForRead(std::string_view object_key) const;
  Result<bool> Exists(std::string_view object_key) const;
  // Deletes a stored object (garbage collection: the caller has established that nothing
  // refers to it and no upload of the same bytes is being committed concurrently).
  Status Remove(std::string_view object_key);

  // Every stored object's key, sorted. Files under sha256/ whose name is not a valid key
  // are not listed (and never removed by garbage collection).
  Result<std::vector<std::string>> ListObjects() const;

  // Removes temporary files left by uploads that never ended (a crash). Files of uploads
  // still open in this process are kept. Returns how many files were removed.
  Result<size_t> CleanTemporaryFiles();

  const std::filesystem::path& root() const { return root_; }

 private:
  friend class Upload;
  explicit MediaStore(std::filesystem::path root);
  std::filesystem::path PathForKey(std::string_view valid_key) const;
  void ForgetTemporaryFile(const std::string& name);

  std::filesystem::path root_;
  std::filesystem::path temp_dir_;
  std::filesystem::path objects_dir_;
  mutable std::mutex mutex_;
  std::set<std::string> live_temp_names_;  // guarded by mutex_
};

// True for exactly "sha256/" + h[0..2) + "/" + h where h is 64 lowercase hex digits.
bool IsValidObjectKey(std::string_view object_key);

}  // namespace dialtone::media
