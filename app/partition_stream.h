// One assigned input partition as a stream of its own (SPEC 4, 7): its member cache over
// the shared state store, its timers, its processor (clock, counters) and its position.
//
// restore() resumes from the partition's last checkpoint in the store (or starts empty;
// a checkpoint made with another time.utc_offset is refused);
// commit() persists changed members, timer moves, the processor checkpoint and the
// position in one atomic batch. The caller must have had every output of the work being
// committed acknowledged first (SPEC 7, at least once), or, exactly once, committed in a
// Kafka transaction with the group offsets of group_offset(): the local state is written
// after the transaction, so it is never ahead of what Kafka committed, and after a crash
// between the two it is behind by that transaction.
//
// Silent catch-up (exactly once): when the group's committed offset is ahead of the
// local state (a crash after the transaction, or a partition coming back from another
// instance), catch_up_silently() makes the stream re-process the input up to that offset
// without emitting anything (those transitions, actions and dead letters are already in
// committed transactions; the processor is deterministic, so it rebuilds the very state
// they came from), then move its clock to the committed clock (idle advances), and only
// then emit again. One limit: an event that arrived after an idle advance within the
// replayed range and was late only because of it is applied as on time on catch-up.
//
// A changelog restore (issue 11) that brings the local state up to the committed
// transaction leaves nothing to catch up.
//
// Not thread-safe: owned by the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "app/partition_position.h"
#include "app/silenceable_sink.h"
#include "engine/engine_options.h"
#include "engine/stream_processor.h"
#include "engine/timer_index.h"
#include "state/member_cache.h"
#include "state/state_store.h"

namespace segmentd {

class PartitionStream {
 public:
  static Status restore(StateStore& store, std::int32_t partition, const EngineOptions& options,
                        std::size_t cache_bytes, TransitionSink& sink, ActionSink* actions,
                        std::unique_ptr<PartitionStream>& stream);

  // The next offset to read: the committed position, or nullopt for a new partition.
  std::optional<std::int64_t> resume_offset() const;

  // Exactly once, see above: until the record at `offset` (the group's committed next
  // offset) nothing is emitted; then the clock moves to `clock` when later.
  void catch_up_silently(std::int64_t offset, std::optional<EpochMs> clock);
  // Whether the output of the record at `offset` is emitted (false while catching up:
  // the caller drops its dead letter too); ends the catch-up at its offset.
  bool emits_at(std::int64_t offset);
  // Ends the catch-up (the partition's end was reached, or nothing was behind).
  void finish_catch_up();
  // Exactly once: the next offset and clock to commit to the group for this stream
  // (those of the catch-up while it lasts); nullopt before the first record.
  struct GroupCommit {
    std::int64_t next_offset = 0;
    std::optional<EpochMs> clock;
  };
  std::optional<GroupCommit> group_commit() const;

  void apply(const PurchaseEvent& event, std::int64_t offset);
  void reject(RejectReason reason, std::int64_t offset);
  // Live idle advance (SPEC 4): the clock follows `target` when that is later.
  void advance_clock_to(EpochMs target) { processor_->advance_clock_to(target); }

  Status commit();

  std::int32_t partition() const { return partition_; }
  const PartitionPosition& position() const { return position_; }
  const ProcessorCheckpoint& checkpoint() const { return processor_->checkpoint(); }
  std::size_t timers_pending() const { return timers_.size(); }
  // A member's state, without caching it (MemberCache::peek).
  MemberState peek(std::string_view member_id) { return members_.peek(member_id); }

  // Nothing left to fetch (the consumer reported the partition's end).
  bool caught_up = false;

 private:
  PartitionStream(StateStore& store, std::int32_t partition, std::size_t cache_bytes,
                  TransitionSink& sink, ActionSink* actions);
  void consumed(std::int64_t offset);

  std::int32_t partition_;
  MemberCache members_;
  TimerIndex timers_;
  SilenceableSink sink_;
  std::unique_ptr<StreamProcessor> processor_;
  PartitionPosition position_;
  std::optional<GroupCommit> catch_up_;  // while catching up silently
};

}  // namespace segmentd
