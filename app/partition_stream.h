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
// they came from), then move its clock to the committed clock, and only then emit again.
// Idle advances read no input, so exactly once the service makes them only at the start
// of a transaction (right after a commit), and the transaction's metadata says where the
// one it began with moved the clock (group_offset_metadata.h): when the local state is
// where that transaction began (a crash between the commit and the local write) the
// stream replays it exactly: that idle advance, then the records. When it is further
// behind (a partition back from another instance), the idle advances of the earlier
// transactions are not known: an event that was late only because of one is applied as
// on time.
//
// A changelog restore (issue 11) that brings the local state up to the committed
// transaction leaves nothing to catch up.
//
// Not thread-safe: owned by the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "app/group_offset_metadata.h"
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
  // offset, committed with `metadata`) nothing is emitted; then the clock moves to the
  // committed clock when later.
  void catch_up_silently(std::int64_t offset, const GroupOffsetMetadata& metadata);
  // Whether the output of the record at `offset` is emitted (false while catching up:
  // the caller drops its dead letter too); ends the catch-up at its offset.
  bool emits_at(std::int64_t offset);
  // Ends the catch-up (the partition's end was reached, or nothing was behind).
  void finish_catch_up();
  // Exactly once: the next offset and metadata to commit to the group for this stream
  // (those of the catch-up while it lasts); nullopt before the first record.
  struct GroupCommit {
    std::int64_t next_offset = 0;
    GroupOffsetMetadata metadata;
  };
  std::optional<GroupCommit> group_commit() const;
  // Exactly once: the transaction holding group_commit() committed.
  void transaction_committed();

  void apply(const PurchaseEvent& event, std::int64_t offset);
  void reject(RejectReason reason, std::int64_t offset);
  // Live idle advance (SPEC 4): the clock follows `target` when that is later.
  void advance_clock_to(EpochMs target);

  // `sync` false: the state store's WAL is synced by a later commit (StateStore::commit).
  Status commit(bool sync = true);

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
  // Exactly once: the group offset before the open transaction, and where an idle
  // advance in it moved the clock.
  std::int64_t transaction_from_ = -1;
  std::optional<EpochMs> transaction_idle_;
};

}  // namespace segmentd
