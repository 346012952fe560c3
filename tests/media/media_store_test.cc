#define BOOST_TEST_MODULE media_store_test
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <sndfile.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/media_store.h"

namespace fs = std::filesystem;
using dialtone::ErrorCode;
using dialtone::media::IsValidObjectKey;
using dialtone::media::MediaInfo;
using dialtone::media::MediaStore;
using dialtone::media::RawEncoding;
using dialtone::media::Upload;
using dialtone::media::UploadFailure;

namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  BOOST_REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr));
  std::string hex;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0x0f];
  }
  return hex;
}

// Every regular file below `dir`.
std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

struct StoreFixture {
  StoreFixture() {
    std::string pattern = (fs::temp_directory_path() / "dialtone-media-test-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    media_root = dir / "media";
    auto opened = MediaStore::Open(media_root);
    BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    store = std::move(opened.value());
  }
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // Writes `frames` frames of a 440 Hz tone with libsndfile in `sf_format` and returns
  // the file's bytes. The file lives outside the media folder.
  std::string MakeAudio(int sf_format, int sample_rate, int channels, sf_count_t frames) {
    const fs::path path = dir / ("generated-" + std::to_string(generated++));
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = channels;
    info.format = sf_format;
    BOOST_REQUIRE_MESSAGE(sf_format_check(&info), "libsndfile cannot write this format");
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    BOOST_REQUIRE_MESSAGE(file != nullptr, sf_strerror(nullptr));
    std::vector<float> samples(static_cast<size_t>(frames) * channels);
    for (sf_count_t i = 0; i < frames; ++i) {
      const float value = 0.5f * std::sin(2.0f * 3.14159265f * 440.0f * i / sample_rate);
      for (int c = 0; c < channels; ++c) samples[i * channels + c] = value;
    }
    BOOST_REQUIRE_EQUAL(sf_writef_float(file, samples.data(), frames), frames);
    BOOST_REQUIRE_EQUAL(sf_close(file), 0);
    return ReadFile(path);
  }

  // Uploads `bytes` in chunks of `chunk_size` and commits.
  dialtone::Result<MediaInfo, dialtone::media::UploadStatus> Store(
      const std::string& bytes, size_t chunk_size = 65536, RawEncoding raw = RawEncoding::kNone) {
    auto upload = store->BeginUpload(10 * 1024 * 1024, raw);
    BOOST_REQUIRE_MESSAGE(upload.ok(), upload.status().ToString());
    for (size_t at = 0; at < bytes.size(); at += chunk_size) {
      auto written = (*upload)->Write(std::string_view(bytes).substr(at, chunk_size));
      BOOST_REQUIRE_MESSAGE(written.ok(), written.status.ToString());
    }
    return (*upload)->Commit();
  }

  fs::path dir;
  fs::path media_root;
  std::unique_ptr<MediaStore> store;
  int generated = 0;
};

const std::string kUnknownKey =
    "sha256/ab/ab00000000000000000000000000000000000000000000000000000000000000";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(MediaStoreFormats, StoreFixture)

BOOST_AUTO_TEST_CASE(PcmWavReportsFormatDurationAndContentAddress) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 12000);
  auto info = Store(bytes);
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->format == "wav");
  BOOST_TEST(info->duration_ms == 1500);
  BOOST_TEST(info->sample_rate == 8000);
  BOOST_TEST(info->channels == 1);
  BOOST_TEST(info->size_bytes == bytes.size());
  const std::string hex = Sha256Hex(bytes);
  BOOST_TEST(info->sha256 == hex);
  BOOST_TEST(info->object_key == "sha256/" + hex.substr(0, 2) + "/" + hex);
  BOOST_TEST(IsValidObjectKey(info->object_key));

  auto path = store->Locate(info->object_key);
  BOOST_REQUIRE(path.ok());
  BOOST_TEST(*path == media_root / "sha256" / hex.substr(0, 2) / hex);
  BOOST_TEST(ReadFile(*path) == bytes);
  BOOST_TEST(FilesUnder(media_root).size() == 1u);
}

BOOST_AUTO_TEST_CASE(G711InsideWavIsAcceptedAsWav) {
  auto info = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_ULAW, 8000, 1, 4000));
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->format == "wav");
  BOOST_TEST(info->duration_ms == 500);
}

BOOST_AUTO_TEST_CASE(FlacReportsFormatAndDuration) {
  auto info = Store(MakeAudio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 2, 32000));
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->format == "flac");
  BOOST_TEST(info->duration_ms == 2000);
  BOOST_TEST(info->sample_rate == 16000);
  BOOST_TEST(info->channels == 2);
}

BOOST_AUTO_TEST_CASE(OggVorbisReportsFormatAndDuration) {
  auto info = Store(MakeAudio(SF_FORMAT_OGG | SF_FORMAT_VORBIS, 16000, 1, 20000));
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->format == "ogg");
  BOOST_TEST(info->duration_ms == 1250);
  BOOST_TEST(info->sample_rate == 16000);
}

BOOST_AUTO_TEST_CASE(Mp3ReportsFormatAndGaplessDuration) {
  // libsndfile writes a LAME header recording encoder delay and padding, and mpg123
  // decodes gaplessly, so the decoded length is the written length.
  auto info = Store(MakeAudio(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 16000, 1, 32000));
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->format == "mp3");
  BOOST_TEST(info->sample_rate == 16000);
  BOOST_TEST(info->duration_ms == 2000);
}

BOOST_AUTO_TEST_CASE(HeaderlessMuLawAndALawAreAcceptedWhenDeclared) {
  const std::string one_second(8000, '\x55');
  auto mulaw = Store(one_second, 65536, RawEncoding::kMuLaw);
  BOOST_REQUIRE_MESSAGE(mulaw.ok(), mulaw.status().ToString());
  BOOST_TEST(mulaw->format == "ul");
  BOOST_TEST(mulaw->duration_ms == 1000);
  BOOST_TEST(mulaw->sample_rate == 8000);
  BOOST_TEST(mulaw->channels == 1);

  const std::string half_second(4000, '\xd5');
  auto alaw = Store(half_second, 65536, RawEncoding::kALaw);
  BOOST_REQUIRE_MESSAGE(alaw.ok(), alaw.status().ToString());
  BOOST_TEST(alaw->format == "al");
  BOOST_TEST(alaw->duration_ms == 500);
}

BOOST_AUTO_TEST_CASE(GarbageBytesAreUnsupportedAndNothingIsStored) {
  std::string garbage;
  for (int i = 0; i < 2000; ++i) garbage += "this is not audio, just text. ";
  auto info = Store(garbage);
  BOOST_REQUIRE(!info.ok());
  BOOST_TEST(static_cast<int>(info.error().failure) ==
             static_cast<int>(UploadFailure::kUnsupportedFormat));
  BOOST_TEST(static_cast<int>(info.status().code()) == static_cast<int>(ErrorCode::kInvalidArgument));
  BOOST_TEST(info.status().message().find("unsupported media format") != std::string::npos);
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(AudioInAFormatNotAcceptedIsUnsupported) {
  // AIFF is readable by libsndfile but not on the accepted list.
  auto info = Store(MakeAudio(SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 8000, 1, 8000));
  BOOST_REQUIRE(!info.ok());
  BOOST_TEST(static_cast<int>(info.error().failure) ==
             static_cast<int>(UploadFailure::kUnsupportedFormat));
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(WavHeaderWithoutAudioFramesIsUnsupported) {
  auto info = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 0));
  BOOST_REQUIRE(!info.ok());
  BOOST_TEST(static_cast<int>(info.error().failure) ==
             static_cast<int>(UploadFailure::kUnsupportedFormat));
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(FlacWithACorruptedBodyIsUnsupportedAndNothingIsStored) {
  // The header is intact, so only decoding to the end finds the damage.
  std::string bytes = MakeAudio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1, 16000);
  BOOST_REQUIRE_GT(bytes.size(), 2000u);
  for (size_t i = bytes.size() / 2; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 37);
  auto info = Store(bytes);
  BOOST_REQUIRE(!info.ok());
  BOOST_TEST(static_cast<int>(info.error().failure) ==
             static_cast<int>(UploadFailure::kUnsupportedFormat));
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(EmptyUploadIsUnsupported) {
  auto info = Store("");
  BOOST_REQUIRE(!info.ok());
  BOOST_TEST(static_cast<int>(info.error().failure) ==
             static_cast<int>(UploadFailure::kUnsupportedFormat));
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(MediaStoreUploads, StoreFixture)

BOOST_AUTO_TEST_CASE(IdenticalBytesCommittedTwiceShareOneKeyAndOneFile) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000);
  auto first = Store(bytes);
  auto second = Store(bytes);
  BOOST_REQUIRE(first.ok());
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(first->object_key == second->object_key);
  const auto files = FilesUnder(media_root);
  BOOST_REQUIRE_EQUAL(files.size(), 1u);
  BOOST_TEST(ReadFile(files.front()) == bytes);
}

BOOST_AUTO_TEST_CASE(DifferentBytesGetDifferentKeys) {
  auto a = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000));
  auto b = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8001));
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(a->object_key != b->object_key);
  BOOST_TEST(FilesUnder(media_root).size() == 2u);
}

BOOST_AUTO_TEST_CASE(ChunkedWritesEqualOneShotWrite) {
  const std::string bytes = MakeAudio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1, 9000);
  auto one_shot = Store(bytes, bytes.size());
  BOOST_REQUIRE(one_shot.ok());
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    auto chunked = Store(bytes, chunk);
    BOOST_REQUIRE(chunked.ok());
    BOOST_TEST(chunked->object_key == one_shot->object_key);
    BOOST_TEST(chunked->size_bytes == one_shot->size_bytes);
    BOOST_TEST(chunked->duration_ms == one_shot->duration_ms);
  }
  BOOST_TEST(FilesUnder(media_root).size() == 1u);
}

BOOST_AUTO_TEST_CASE(UploadOfExactlyTheLimitIsAccepted) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 800);
  auto upload = store->BeginUpload(bytes.size());
  BOOST_REQUIRE(upload.ok());
  BOOST_REQUIRE((*upload)->Write(bytes).ok());
  auto info = (*upload)->Commit();
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->duration_ms == 100);
}

BOOST_AUTO_TEST_CASE(WritingPastTheLimitFailsAsTooLargeAndLeavesNoFiles) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 800);
  auto upload = store->BeginUpload(bytes.size() - 1);
  BOOST_REQUIRE(upload.ok());
  BOOST_REQUIRE((*upload)->Write(std::string_view(bytes).substr(0, 100)).ok());
  BOOST_TEST(FilesUnder(media_root).size() == 1u);  // the temporary file

  auto too_much = (*upload)->Write(std::string_view(bytes).substr(100));
  BOOST_TEST(!too_much.ok());
  BOOST_TEST(static_cast<int>(too_much.failure) == static_cast<int>(UploadFailure::kTooLarge));
  BOOST_TEST(static_cast<int>(too_much.status.code()) ==
             static_cast<int>(ErrorCode::kInvalidArgument));
  BOOST_TEST(too_much.status.message().find("too large") != std::string::npos);
  BOOST_TEST(FilesUnder(media_root).empty());

  auto commit = (*upload)->Commit();
  BOOST_REQUIRE(!commit.ok());
  BOOST_TEST(static_cast<int>(commit.error().failure) == static_cast<int>(UploadFailure::kMisuse));
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(AbortLeavesNothingAndEndsTheUpload) {
  auto upload = store->BeginUpload(1024 * 1024);
  BOOST_REQUIRE(upload.ok());
  BOOST_REQUIRE((*upload)->Write(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 800)).ok());
  (*upload)->Abort();
  BOOST_TEST(FilesUnder(media_root).empty());
  BOOST_TEST(static_cast<int>((*upload)->Write("x").failure) ==
             static_cast<int>(UploadFailure::kMisuse));
  BOOST_TEST(!(*upload)->Commit().ok());
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(DestroyingAnUncommittedUploadLeavesNothing) {
  {
    auto upload = store->BeginUpload(1024 * 1024);
    BOOST_REQUIRE(upload.ok());
    BOOST_REQUIRE((*upload)->Write("partial bytes").ok());
    BOOST_TEST(FilesUnder(media_root).size() == 1u);
  }
  BOOST_TEST(FilesUnder(media_root).empty());
}

BOOST_AUTO_TEST_CASE(ZeroLimitIsRejected) {
  auto upload = store->BeginUpload(0);
  BOOST_REQUIRE(!upload.ok());
  BOOST_TEST(static_cast<int>(upload.status().code()) ==
             static_cast<int>(ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(MediaStoreObjects, StoreFixture)

BOOST_AUTO_TEST_CASE(StoredObjectCanBeReadBackAndRemoved) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000);
  auto info = Store(bytes);
  BOOST_REQUIRE(info.ok());

  auto exists = store->Exists(info->object_key);
  BOOST_REQUIRE(exists.ok());
  BOOST_TEST(*exists);
  auto in = store->OpenForRead(info->object_key);
  BOOST_REQUIRE(in.ok());
  BOOST_TEST(std::string(std::istreambuf_iterator<char>(*in), {}) == bytes);

  BOOST_REQUIRE(store->Remove(info->object_key).ok());
  exists = store->Exists(info->object_key);
  BOOST_REQUIRE(exists.ok());
  BOOST_TEST(!*exists);
  BOOST_TEST(FilesUnder(media_root).empty());
  BOOST_TEST(static_cast<int>(store->Remove(info->object_key).code()) ==
             static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(ListObjectsNamesEveryStoredObjectSortedAndSkipsStrangers) {
  auto empty = store->ListObjects();
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(empty->empty());
  auto a = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000));
  auto b = Store(MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8001));
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(b.ok());
  // A file that is not an object (wrong name) is not listed.
  const fs::path stranger = media_root / "sha256" / a->object_key.substr(7, 2) / "notes.txt";
  std::ofstream(stranger) << "x";
  auto listed = store->ListObjects();
  BOOST_REQUIRE(listed.ok());
  std::vector<std::string> expected = {a->object_key, b->object_key};
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(*listed == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(WellFormedUnknownKeyIsNotFound) {
  auto exists = store->Exists(kUnknownKey);
  BOOST_REQUIRE(exists.ok());
  BOOST_TEST(!*exists);
  BOOST_TEST(static_cast<int>(store->Locate(kUnknownKey).status().code()) ==
             static_cast<int>(ErrorCode::kNotFound));
  BOOST_TEST(static_cast<int>(store->OpenForRead(kUnknownKey).status().code()) ==
             static_cast<int>(ErrorCode::kNotFound));
  BOOST_TEST(static_cast<int>(store->Remove(kUnknownKey).code()) ==
             static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(MalformedAndTraversingKeysAreRejected) {
  // A file outside the store that a traversal would reach.
  std::ofstream(dir / "secret") << "do not touch";
  const std::string hex(64, 'a');
  const std::vector<std::string> bad_keys = {
      "",
      "../secret",
      "sha256/../../secret",
      "/etc/passwd",
      "sha256/aa/" + std::string(63, 'a'),
      "sha256/aa/" + std::string(65, 'a'),
      "sha256/ab/" + hex,                                  // fan-out does not match the hash
      "sha256/AA/" + std::string(64, 'A'),                 // upper case
      "sha256/aa/" + hex.substr(0, 62) + "/.",             // right length, not hex
      "sha256/aa/" + hex.substr(0, 61) + "/..",
      "sha1/aa/" + hex,
      "sha256\\aa\\" + hex,
      "sha256/aa/" + hex.substr(0, 63) + std::string(1, '\0'),
      "sha256//a" + hex,
  };
  for (const std::string& key : bad_keys) {
    BOOST_TEST_CONTEXT("key '" << key << "'") {
      BOOST_TEST(!IsValidObjectKey(key));
      BOOST_TEST(static_cast<int>(store->Exists(key).status().code()) ==
                 static_cast<int>(ErrorCode::kInvalidArgument));
      BOOST_TEST(static_cast<int>(store->Locate(key).status().code()) ==
                 static_cast<int>(ErrorCode::kInvalidArgument));
      BOOST_TEST(static_cast<int>(store->OpenForRead(key).status().code()) ==
                 static_cast<int>(ErrorCode::kInvalidArgument));
      BOOST_TEST(static_cast<int>(store->Remove(key).code()) ==
                 static_cast<int>(ErrorCode::kInvalidArgument));
    }
  }
  BOOST_TEST(fs::exists(dir / "secret"));
  BOOST_TEST(IsValidObjectKey("sha256/aa/" + hex));
}

BOOST_AUTO_TEST_CASE(LeftoverTemporaryFilesAreCleanedAtStartup) {
  // A crash mid-upload leaves the temporary file behind; a new store instance (the next
  // process start) removes it.
  auto crashed = store->BeginUpload(1024 * 1024);
  BOOST_REQUIRE(crashed.ok());
  BOOST_REQUIRE((*crashed)->Write("half an upload").ok());
  std::ofstream(media_root / "tmp" / "upload-leftover") << "older leftover";
  const auto leftovers = FilesUnder(media_root);
  BOOST_REQUIRE_EQUAL(leftovers.size(), 2u);

  auto restarted = MediaStore::Open(media_root);
  BOOST_REQUIRE(restarted.ok());
  auto removed = (*restarted)->CleanTemporaryFiles();
  BOOST_REQUIRE_MESSAGE(removed.ok(), removed.status().ToString());
  BOOST_TEST(*removed == 2u);
  BOOST_TEST(FilesUnder(media_root).empty());
  (*crashed)->Abort();  // the simulated crashed upload ends without anything to remove
}

BOOST_AUTO_TEST_CASE(CleaningKeepsUploadsStillInProgress) {
  const std::string bytes = MakeAudio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000);
  auto upload = store->BeginUpload(1024 * 1024);
  BOOST_REQUIRE(upload.ok());
  BOOST_REQUIRE((*upload)->Write(std::string_view(bytes).substr(0, 1000)).ok());
  std::ofstream(media_root / "tmp" / "upload-leftover") << "leftover";

  auto removed = store->CleanTemporaryFiles();
  BOOST_REQUIRE(removed.ok());
  BOOST_TEST(*removed == 1u);

  BOOST_REQUIRE((*upload)->Write(std::string_view(bytes).substr(1000)).ok());
  auto info = (*upload)->Commit();
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  BOOST_TEST(info->sha256 == Sha256Hex(bytes));
  BOOST_TEST(FilesUnder(media_root).size() == 1u);
}

BOOST_AUTO_TEST_CASE(OpeningOverAFileFailsWithIOError) {
  std::ofstream(dir / "not-a-folder") << "x";
  auto opened = MediaStore::Open(dir / "not-a-folder");
  BOOST_REQUIRE(!opened.ok());
  BOOST_TEST(static_cast<int>(opened.status().code()) == static_cast<int>(ErrorCode::kIOError));
}

BOOST_AUTO_TEST_SUITE_END()
