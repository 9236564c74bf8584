// Where a replay stands in its input and outputs, and its input-side counters: the
// connector part of the replay stream's checkpoint (StreamCheckpoint::source_position).
// Plain value with a versioned byte encoding.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/rejection.h"

namespace segmentd {

struct ReplayPosition {
  std::uint64_t lines = 0;          // input lines consumed (raw order), or sorted records
  std::uint64_t input_offset = 0;   // bytes consumed (raw order only)
  std::uint64_t output_bytes = 0;   // committed length of the transitions file
  std::uint64_t dlq_bytes = 0;      // committed length of the dead-letter file
  std::uint64_t actions_bytes = 0;  // committed length of the actions file (if any)
  std::uint64_t events_read = 0;    // non-blank lines read
  std::array<std::uint64_t, kRejectReasonCount> rejected{};
  bool sorted = false;    // produced by --sort
  bool finished = false;  // end of input reached and the final clock applied

  std::uint64_t rejected_total() const;
};

std::string encode_replay_position(const ReplayPosition& position);
// False on bytes that are not a replay position, or hold a flag other than 0/1 or a file
// offset or length beyond what a file can have.
[[nodiscard]] bool decode_replay_position(std::string_view bytes, ReplayPosition& position);

}  // namespace segmentd
