// Exactly once: the metadata string committed with each partition's group offset inside
// a transaction: "segmentd/1", then " from=<offset>" (the partition's group offset
// before this transaction), " idle=<epoch ms>" (the clock an idle advance set at the
// start of this transaction, when one did) and " clock=<epoch ms>" (the stream's clock
// at the commit, once started). Idle advances read no input, so a stream catching up
// to the committed transaction (PartitionStream::catch_up_silently) needs them to end in
// the same state. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

struct GroupOffsetMetadata {
  std::optional<std::int64_t> from;  // -1: the partition had no offset before
  std::optional<EpochMs> idle;
  std::optional<EpochMs> clock;
  bool operator==(const GroupOffsetMetadata&) const = default;
};

std::string encode_group_offset_metadata(const GroupOffsetMetadata& metadata);
// Empty for metadata it did not write (another tool, at-least-once commits) and for
// fields it cannot read.
GroupOffsetMetadata decode_group_offset_metadata(std::string_view text);

}  // namespace segmentd
