// Recognises and fully decodes an audio file with libsndfile to learn its format and
// duration. Used by Upload::Commit() before a file is stored; usable on its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "media/media_store.h"

namespace dialtone::media {

struct AudioProbe {
  std::string format;  // see MediaInfo::format
  int64_t duration_ms = 0;
  int sample_rate = 0;
  int channels = 0;
};

// kInvalidArgument "unsupported media format: ..." when the file is not one of the
// accepted formats, has no audio frames, or fails to decode to the end; kIOError when
// the file cannot be read at all. `raw` selects headerless G.711 (8 kHz mono).
Result<AudioProbe> ProbeAudioFile(const std::filesystem::path& path, RawEncoding raw);

}  // namespace dialtone::media
