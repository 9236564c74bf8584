// Exactly once: the metadata string committed with each partition's group offset inside
// a transaction, "segmentd/1" followed by " clock=<epoch ms>" once the stream's clock
// has started. The offset says which input the transaction covered; the clock says
// where idle advances (which read no input) had moved the stream's clock, so a stream
// catching up to the committed transaction (PartitionStream::catch_up_silently) ends in
// the same state. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

std::string encode_group_offset_metadata(std::optional<EpochMs> clock);
// The clock, or nullopt for metadata without one (also: written by another tool or by
// at-least-once commits, which have none).
std::optional<EpochMs> decode_group_offset_clock(std::string_view metadata);

}  // namespace segmentd
