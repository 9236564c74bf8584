// Where a stream's state changes go besides the local store: the state changelog
// (SPEC 7), one changelog partition per stream. MemberCache writes each commit's
// records through it (state/changelog_record.h says what they are); the Kafka sink
// produces them, through the producer of the transitions, so that one flush
// acknowledges both.
//
// Calls only queue the records; the implementation reports delivery failures where it
// reports those of its other output (KafkaSink::flush). Not thread-safe: the engine
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace segmentd {

class ChangelogSink {
 public:
  virtual ~ChangelogSink() = default;
  // A member record; nullopt: a tombstone (the member is not in the state).
  virtual void changelog_put(std::int32_t partition, std::string_view key,
                             std::optional<std::string_view> value) = 0;
  // The checkpoint record, the last record of a commit: its offset, once acknowledged,
  // is changelog_checkpoint_offset(partition).
  virtual void changelog_checkpoint(std::int32_t partition, std::string_view key,
                                    std::string_view value) = 0;
  // The offset of the partition's latest acknowledged checkpoint record (nullopt: none
  // since the sink was opened).
  virtual std::optional<std::int64_t> changelog_checkpoint_offset(std::int32_t partition) const = 0;
};

}  // namespace segmentd
