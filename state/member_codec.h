// The byte encodings of what the state store persists: member states and stream
// checkpoints. Versioned (first byte) so later fields can be added; compact (varints)
// because member states are most of what is written.
//
// decode_* return false on bytes they cannot read (corruption, unknown version).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/member_state.h"
#include "engine/stream_stats.h"

namespace segmentd {

// What a stream commits besides members and timers: the processor's clock and counters
// and the source's position (opaque bytes owned by the connector: file offsets, Kafka
// offset).
struct StreamCheckpoint {
  ProcessorCheckpoint processor;
  std::string source_position;
  bool operator==(const StreamCheckpoint&) const = default;
};

void encode_member(std::string& out, const MemberState& state);
[[nodiscard]] bool decode_member(std::string_view bytes, MemberState& state);

void encode_checkpoint(std::string& out, const StreamCheckpoint& checkpoint);
[[nodiscard]] bool decode_checkpoint(std::string_view bytes, StreamCheckpoint& checkpoint);

}  // namespace segmentd
