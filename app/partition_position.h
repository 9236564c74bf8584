// Where one input partition stands, and its input-side counters: the connector part of
// a Kafka partition's checkpoint (StreamCheckpoint::source_position). Plain value with a
// versioned byte encoding, distinct from a replay's, so a state dir used by one kind of
// run is never mistaken for the other's. Format 3 adds the changelog offset; format 2
// (before the changelog) is read with changelog_offset -1.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/rejection.h"

namespace segmentd {

struct PartitionPosition {
  std::int64_t next_offset = -1;   // the next offset to read; -1 before the first record
  std::uint64_t records_read = 0;  // records consumed, valid or not
  std::array<std::uint64_t, kRejectReasonCount> rejected{};
  // The changelog offset of the checkpoint record this state was committed with; -1:
  // unknown (a checkpoint as written to the changelog, or made before the changelog).
  std::int64_t changelog_offset = -1;
};

std::string encode_partition_position(const PartitionPosition& position);
// False on bytes that are not a partition position, or hold an offset below -1.
[[nodiscard]] bool decode_partition_position(std::string_view bytes, PartitionPosition& position);

}  // namespace segmentd
