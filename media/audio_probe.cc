#include "media/audio_probe.h"

#include <sndfile.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace dialtone::media {
namespace {

// The accepted container/codec combinations and their names; everything else libsndfile
// might read is refused so players downstream have a small, known set to handle.
std::optional<std::string> AcceptedFormatName(int sf_format, RawEncoding raw) {
  const int major = sf_format & SF_FORMAT_TYPEMASK;
  const int sub = sf_format & SF_FORMAT_SUBMASK;
  switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_RF64:
      return "wav";
    case SF_FORMAT_FLAC:
      return "flac";
    case SF_FORMAT_OGG:
      if (sub == SF_FORMAT_VORBIS || sub == SF_FORMAT_OPUS) return "ogg";
      return std::nullopt;
    case SF_FORMAT_MPEG:
      if (sub == SF_FORMAT_MPEG_LAYER_III) return "mp3";
      return std::nullopt;
    case SF_FORMAT_RAW:
      if (raw == RawEncoding::kMuLaw) return "ul";
      if (raw == RawEncoding::kALaw) return "al";
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Status Unsupported(const std::string& why) {
  return Status::InvalidArgument("unsupported media format: " + why);
}

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};

}  // namespace

Result<AudioProbe> ProbeAudioFile(const std::filesystem::path& path, RawEncoding raw) {
  SF_INFO info{};
  if (raw != RawEncoding::kNone) {
    info.format = SF_FORMAT_RAW | (raw == RawEncoding::kMuLaw ? SF_FORMAT_ULAW : SF_FORMAT_ALAW);
    info.samplerate = 8000;
    info.channels = 1;
  }
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) {
    const int error = sf_error(nullptr);
    if (error == SF_ERR_SYSTEM) {
      return Status::IOError("cannot read " + path.string() + ": " + sf_strerror(nullptr));
    }
    return Unsupported(sf_error_number(error));
  }
  std::optional<std::string> name = AcceptedFormatName(info.format, raw);
  if (!name) {
    SF_FORMAT_INFO major{};
    major.format = info.format & SF_FORMAT_TYPEMASK;
    const bool known = sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof(major)) == 0;
    return Unsupported(known && major.name ? std::string(major.name) + " is not accepted"
                                           : std::string("container not accepted"));
  }
  if (info.samplerate <= 0 || info.channels <= 0) {
    return Unsupported("no sample rate or channel count");
  }

  // Decode everything: a header can promise audio the body does not hold, and the decoded
  // frame count is the honest duration (compressed headers only estimate it).
  constexpr sf_count_t kFramesPerRead = 4096;
  std::vector<short> buffer(static_cast<size_t>(kFramesPerRead) * info.channels);
  int64_t frames = 0;
  for (;;) {
    const sf_count_t got = sf_readf_short(file.get(), buffer.data(), kFramesPerRead);
    if (got <= 0) break;
    frames += got;
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    return Unsupported(std::string("decoding failed: ") + sf_strerror(file.get()));
  }
  if (frames == 0) return Unsupported("no audio frames");

  AudioProbe probe;
  probe.format = std::move(*name);
  probe.sample_rate = info.samplerate;
  probe.channels = info.channels;
  probe.duration_ms = frames * 1000 / info.samplerate;
  return probe;
}

}  // namespace dialtone::media
