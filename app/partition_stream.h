// One assigned input partition as a stream of its own (SPEC 4, 7): its member cache over
// the shared state store, its timers, its processor (clock, counters) and its position.
//
// restore() resumes from the partition's last checkpoint in the store (or starts empty;
// a checkpoint made with another time.utc_offset is refused);
// commit() persists changed members, timer moves, the processor checkpoint and the
// position in one atomic batch. The caller must have had every output of the work being
// committed acknowledged first (SPEC 7, at least once).
//
// Not thread-safe: owned by the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "app/partition_position.h"
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

  void apply(const PurchaseEvent& event, std::int64_t offset);
  void reject(RejectReason reason, std::int64_t offset);
  // Live idle advance (SPEC 4): the clock follows `target` when that is later.
  void advance_clock_to(EpochMs target) { processor_->advance_clock_to(target); }

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
  PartitionStream(StateStore& store, std::int32_t partition, std::size_t cache_bytes);
  void consumed(std::int64_t offset);

  std::int32_t partition_;
  MemberCache members_;
  TimerIndex timers_;
  std::unique_ptr<StreamProcessor> processor_;
  PartitionPosition position_;
};

}  // namespace segmentd
