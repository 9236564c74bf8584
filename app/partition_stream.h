// One assigned input partition as a stream of its own (SPEC 4, 7): its member cache over
// the shared state store, its timers, its processor (clock, counters) and its position.
//
// restore() resumes from the partition's last checkpoint in the store (or starts empty;
// a checkpoint made with another time.utc_offset is refused); the service first brings
// the store up to the state changelog when that is ahead (app/changelog_restore.h), and
// changelog_restored() takes what that restore found for the next commit.
//
// A commit is stage() then write(): stage() hands changed members and the checkpoint to
// the state changelog (when the stream has one) and to the store batch; then the caller
// has every output of the work being committed acknowledged (at least once: transitions
// first, then the changelog records) or committed in one Kafka transaction with the group
// offsets of group_commit() (exactly once); only then does write() persist the batch in
// one atomic write, with the changelog offset of the checkpoint record. So the local
// state is never ahead of the changelog nor of what Kafka committed; after a crash
// between the two it is behind by one commit.
//
// At least once, a commit need not stop the processing (issue 10): begin_commit() fixes
// the commit point (the members changed until now, the stream's checkpoint) and notes how
// many records the sink had produced: the output of the work being committed. The
// processing goes on; advance_commit(), called on every turn of the processing loop,
// stages kStageStep of the changed members at a time (their records go to the changelog;
// MemberCache::begin_stage: a member changed again first is staged before that change,
// so the batch holds the state at the commit point), sends the checkpoint record once
// they are all staged and that output is acknowledged, and once that record is
// acknowledged too writes the batch, with the record's offset, on the writer's thread
// (the state store serialises commits; the stream waits for that write before it goes).
// Written, the commit gives the next input offset it covers, for the group. So the order of a
// blocking commit is kept: output, then the changelog checkpoint (what a next owner resumes from),
// then the local state and the group offset. One commit in flight at a time; members
// changed meanwhile are the next commit's (state/member_cache.h).
//
// Silent catch-up (exactly once): when the group's committed offset is ahead of the
// local state (a crash after the transaction, or a partition back from another instance
// whose changelog could not bring it all the way), catch_up_silently() makes the stream
// re-process the input up to that offset without emitting anything (those transitions,
// actions and dead letters are already in committed transactions; the processor is
// deterministic, so it rebuilds the very state they came from), then move its clock to
// the committed clock, and only then emit again. Idle advances read no input, so exactly
// once the service makes them only at the start of a transaction (right after a commit),
// and the transaction's metadata says where the one it began with moved the clock
// (group_offset_metadata.h): when the local state is where that transaction began the
// stream replays it exactly: that idle advance, then the records. With the changelog
// restored first (its checkpoint records are in the same transactions), nothing is left
// to catch up.
//
// Not thread-safe: owned by the engine thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>

#include "app/changelog_restore.h"
#include "app/group_offset_metadata.h"
#include "app/partition_position.h"
#include "app/silenceable_sink.h"
#include "app/state_writer.h"
#include "engine/delivery_progress.h"
#include "engine/engine_options.h"
#include "engine/stream_processor.h"
#include "engine/timer_index.h"
#include "state/member_cache.h"
#include "state/state_store.h"

namespace segmentd {

class PartitionStream {
 public:
  // Members a commit in flight stages per turn of the processing loop: the loop pauses
  // for about this many member encodings (a few hundred microseconds) at a time.
  static constexpr std::size_t kStageStep = 128;

  // `writer` runs the stream's batch writes at least once (advance_commit); it must
  // outlive the stream.
  static Status restore(StateStore& store, std::int32_t partition, const EngineOptions& options,
                        std::size_t cache_bytes, TransitionSink& sink, ActionSink* actions,
                        ChangelogSink* changelog, StateWriter& writer,
                        std::unique_ptr<PartitionStream>& stream);
  // Waits for a batch write in flight (its batch is the stream's).
  ~PartitionStream();
  PartitionStream(const PartitionStream&) = delete;
  PartitionStream& operator=(const PartitionStream&) = delete;

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

  Status stage();
  // `changelog_offset`: of the checkpoint record stage() sent (nullopt: no changelog).
  // `sync` false: the state store's WAL is synced by a later write (StateStore::commit).
  Status write(std::optional<std::int64_t> changelog_offset, bool sync = true);

  // At least once without stopping the processing (see above). Not while one is in flight.
  Status begin_commit(const DeliveryProgress& deliveries);
  bool commit_in_flight() const { return in_flight_.has_value(); }
  // The commit in flight, once its batch is written.
  struct WrittenCommit {
    std::optional<std::int64_t> next_offset;   // for the group; nullopt: nothing read yet
    std::chrono::steady_clock::duration took;  // from begin_commit()
  };
  // Moves the commit in flight on as far as the deliveries allow, without waiting; fills
  // `written` when its batch was written. An error ends the commit (a failed write leaves
  // its members for the next one); a delivery failure is returned, fatal, before anything
  // is sent or written past it.
  Status advance_commit(const DeliveryProgress& deliveries, std::optional<WrittenCommit>& written);
  // Stages what the commit in flight has left to stage at once (before waiting for it).
  void finish_stage();
  // A commit in flight is still staging its members.
  bool staging() const { return in_flight_.has_value() && !members_.stage_complete(); }
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
                  TransitionSink& sink, ActionSink* actions, ChangelogSink* changelog,
                  StateWriter& writer);
  StreamCheckpoint checkpoint_now() const;
  // Fixes the commit point and stages `members` of its changed members (MemberCache::
  // begin_stage); the rest are staged by advance_commit() or finish_stage().
  Status begin_stage(std::size_t members);
  // Ends the commit in flight with its batch's write outcome.
  Status end_commit(Status write_outcome, std::optional<WrittenCommit>& written);
  void consumed(std::int64_t offset);

  std::int32_t partition_;
  ChangelogSink* changelog_;
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
  PartitionPosition staged_position_;  // of the batch staged last
  struct InFlight {
    std::uint64_t awaits;  // records_delivered() to wait for
    bool checkpoint_sent;
    std::chrono::steady_clock::time_point began;
  };
  std::optional<InFlight> in_flight_;
  StateWriter& writer_;
  // The in-flight commit's batch being written (by writer_; the destructor waits for it).
  std::future<Status> writing_;
};

}  // namespace segmentd
