// The byte encodings of what the state store persists: member states and stream
// checkpoints. Versioned (first byte) so later fields can be added; compact (varints)
// because member states are most of what is written.
//
// Nothing read back is trusted: decode_* return false on bytes they cannot read
// (corruption, unknown version) and on decoded values no encoder could have written
// (a label index out of range, a timestamp outside kStoredTimeLimit, unordered days,
// an oversized dedupe ring, negative gauges), and then say why in `why`. The checks are
// the check_* functions below, so a format change extends them in one place.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/member_state.h"
#include "engine/stream_stats.h"

namespace segmentd {

// What a stream's members and timers add up to in the store, kept in the stream's
// checkpoint and compared with the store when the stream is restored: member records,
// timer entries, and the wrapping sum of record_digest() over the member records.
struct StoreTally {
  std::uint64_t members = 0;
  std::uint64_t timers = 0;
  std::uint64_t member_digest = 0;
  // Read from a checkpoint of format 2 (segmentd before record digests were XXH3):
  // member_digest sums legacy_record_digest(). The restore checks the store with that,
  // and its next checkpoint sums record_digest().
  bool legacy_digest = false;
  bool operator==(const StoreTally&) const = default;
};

// What a stream commits besides members and timers: the processor's clock and counters,
// the source's position (opaque bytes owned by the connector: file offsets, Kafka
// offset) and the tally of its members and timers (nullopt in checkpoints written
// before tallies existed; the state layer fills it in).
struct StreamCheckpoint {
  ProcessorCheckpoint processor;
  std::string source_position;
  std::optional<StoreTally> tally{};
  bool operator==(const StreamCheckpoint&) const = default;
};

// Stored instants must lie within +-kStoredTimeLimit ms of the epoch (years 1-9999),
// so that the engine's date arithmetic on them cannot overflow.
inline constexpr std::int64_t kStoredTimeLimit = 253'402'300'799'999;
// Limits of what the engine stores per member (SPEC 2: ids are 1-128 bytes;
// dedupe.window is at most 1024).
inline constexpr std::size_t kMaxStoredEventIdBytes = 128;
inline constexpr std::size_t kMaxStoredRecentEvents = 1024;

void encode_member(std::string& out, const MemberState& state);
[[nodiscard]] bool decode_member(std::string_view bytes, MemberState& state,
                                 std::string* why = nullptr);
// What the daily sweep reads of a member record, without the cost of the rest (no
// allocation once `state` has held a member): sets state.known, state.figures,
// state.unswept_purchases and state.swept_last_purchase as decode_member would, checked
// alike, and leaves the other fields of `state` as they were. The rest of the record is
// passed over, its structure checked (lengths, the end of the record), its values not.
[[nodiscard]] bool decode_member_figures(std::string_view bytes, MemberState& state,
                                         std::string* why = nullptr);
// Empty when `state` is one the engine could have written, else what is wrong.
std::string check_member(const MemberState& state);

void encode_checkpoint(std::string& out, const StreamCheckpoint& checkpoint);
[[nodiscard]] bool decode_checkpoint(std::string_view bytes, StreamCheckpoint& checkpoint,
                                     std::string* why = nullptr);
// Empty when `checkpoint` is one the engine could have written, else what is wrong.
std::string check_checkpoint(const StreamCheckpoint& checkpoint);

// A 64-bit digest of one member record (its id and encoded bytes; XXH3), summed into
// StoreTally::member_digest.
std::uint64_t record_digest(std::string_view member_id, std::string_view encoded);
// The digest checkpoints of format 2 summed (FNV-1a, a multiply per byte): kept to check
// a state dir written by an older segmentd once, when it is restored.
std::uint64_t legacy_record_digest(std::string_view member_id, std::string_view encoded);

}  // namespace segmentd
