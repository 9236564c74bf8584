// One assigned input partition as a stream of its own (SPEC 4, 7): its member cache over
// the shared state store, its timers, its processor (clock, counters) and its position.
//
// restore() resumes from the partition's last checkpoint in the store (or starts empty;
// a checkpoint made with another time.utc_offset is refused);
// A commit is stage() then write(): stage() hands changed members and the checkpoint
// to the state changelog (when the stream has one) and to the store batch; the caller
// has every output of the work being committed acknowledged (transitions and changelog
// records alike, SPEC 7, at least once), then write() persists the batch in one atomic
// write, the changelog offset of the checkpoint record with the position.
// changelog_restored() takes what the changelog restore of the partition found
// (app/changelog_restore.h) for the next commit.
//
// Not thread-safe: owned by the engine thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "app/changelog_restore.h"
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
                        ChangelogSink* changelog, std::unique_ptr<PartitionStream>& stream);

  // The next offset to read: the committed position, or nullopt for a new partition.
  std::optional<std::int64_t> resume_offset() const;

  void apply(const PurchaseEvent& event, std::int64_t offset);
  void reject(RejectReason reason, std::int64_t offset);
  // Live idle advance (SPEC 4): the clock follows `target` when that is later.
  void advance_clock_to(EpochMs target) { processor_->advance_clock_to(target); }

  Status stage() { return members_.stage(checkpoint_now()); }
  // `changelog_offset`: of the checkpoint record stage() sent (nullopt: no changelog).
  Status write(std::optional<std::int64_t> changelog_offset);
  void changelog_restored(const ChangelogRestore& restore);

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
                  ChangelogSink* changelog);
  StreamCheckpoint checkpoint_now() const;
  void consumed(std::int64_t offset);

  std::int32_t partition_;
  MemberCache members_;
  TimerIndex timers_;
  std::unique_ptr<StreamProcessor> processor_;
  PartitionPosition position_;
};

}  // namespace segmentd
