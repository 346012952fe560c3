// Garbage collection of uploaded audio: a stored media object (content-addressed bytes
// under <data>/media) that no media_file row names any more — its file was deleted, or
// re-uploaded with other bytes, or the process died between storing the bytes and
// recording them — is removed.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "media/media_store.h"
#include "projections/config_view.h"

namespace dialtone::app {

// Removes every object of `store` that no media_file row of `view` (any account) names
// as its object_key, and returns how many it removed. The caller guarantees that the
// view has folded the whole log and that nothing uploads meanwhile (serve runs it at
// start, before it listens). Errors: the view's or the store's, with nothing more
// removed after the first one.
Result<size_t> RemoveUnreferencedMedia(const projections::ConfigView& view, media::MediaStore& store);

}  // namespace dialtone::app
