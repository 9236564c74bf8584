// The commit protocol of `segmentd run` (run_job.h): at least once, the partitions'
// commits in turns (commit_turns.h) or all at once (revocation, shutdown); exactly once,
// one Kafka transaction for all of them, then the local state; a state write refused with
// a retryable error holds the service until it succeeds.
#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "app/group_offset_metadata.h"
#include "app/log.h"
#include "app/service.h"

namespace segmentd {

namespace {

constexpr auto kMaxCommitRetry = std::chrono::seconds(30);
// Exactly once: this many aborted transactions in a row stop the service.
constexpr int kMaxAbortsInARow = 5;

}  // namespace

// Commits; a state write failing with a retryable error (disk full) pauses fetching,
// makes the service unready and retries with backoff until it succeeds.
Status Service::commit_or_hold(SteadyClock::time_point now, bool in_turns, bool due) {
  const Status s = in_turns ? commit_in_turns(due) : commit_all();
  if (s.is_ok()) {
    if (holding_) {
      holding_ = false;
      health_.set_store_failing(false);
      update_readiness();
      source_->pause_fetching(false);
      log::info("state_commit_recovered", {{"action", "consumption resumed"}});
    }
    return s;
  }
  if (s.kind() != ErrorKind::retry) return s;
  if (!holding_) {
    holding_ = true;
    commit_retry_delay_ = kFirstCommitRetry;
    health_.set_store_failing(true);
    update_readiness();
    source_->pause_fetching(true);
    log::error("state_commit_failed",
               {{"state_dir", config_.state.dir},
                {"detail", s.message()},
                {"action", "consumption paused; retrying until the state store accepts writes"}});
  } else {
    commit_retry_delay_ = std::min<SteadyClock::duration>(commit_retry_delay_ * 2, kMaxCommitRetry);
  }
  next_commit_retry_ = now + commit_retry_delay_;
  return Status::ok();
}

// Changelog records (members, then each stream's checkpoint) are produced only once
// every output of the work is acknowledged: a checkpoint in the changelog is what the
// next owner resumes from, so it must never be ahead of the output (a kill between
// the changelog's acknowledgement and a transition's would lose the transition). A
// second flush has the changelog acknowledged before any state is written, so neither
// the local store nor the group offsets are ever ahead of the changelog. At least once,
// the commits in flight (commit_turns.h) are finished first.
Status Service::commit_all(bool rewind_after_abort) {
  if (exactly_once_) return commit_transaction(rewind_after_abort);
  Status s = commit_turns_.finish(
      streams_, *sink_, [this](std::int32_t partition, const PartitionStream::WrittenCommit& w) {
        group_committed(partition, w);
      });
  if (!s.is_ok()) return s;
  const auto started = SteadyClock::now();
  s = sink_->flush();
  if (!s.is_ok()) return s;
  for (auto& [partition, stream] : streams_) {
    s = stream->stage();
    if (!s.is_ok()) return s;
  }
  s = sink_->flush();
  if (!s.is_ok()) return s;
  // One WAL sync for all partitions: each partition's batch is still atomic, and the last
  // one's sync makes the earlier ones durable too (a crash before it keeps a prefix of
  // them, each partition consistent with its own checkpoint).
  std::vector<std::pair<std::int32_t, std::int64_t>> offsets;
  std::size_t left = streams_.size();
  for (auto& [partition, stream] : streams_) {
    s = stream->write(sink_->changelog_checkpoint_offset(partition), --left == 0);
    if (!s.is_ok()) return s;
    if (auto next = stream->resume_offset()) offsets.emplace_back(partition, *next);
  }
  source_->commit_offsets(offsets);
  observer_.committed(SteadyClock::now() - started);
  return Status::ok();
}

// At least once: moves the commits in flight on, and begins the next partition's when
// its turn is due (commit_turns.h); each written commit's offset goes to the group.
Status Service::commit_in_turns(bool turn_due) {
  return commit_turns_.step(
      streams_, *sink_, turn_due,
      [this](std::int32_t partition, const PartitionStream::WrittenCommit& w) {
        group_committed(partition, w);
      });
}

void Service::group_committed(std::int32_t partition, const PartitionStream::WrittenCommit& w) {
  commit_written_ = true;
  if (w.next_offset) source_->commit_offsets({{partition, *w.next_offset}});
  observer_.committed(w.took);
}

// Exactly once: the transaction first, then the local state (partition_stream.h). An
// aborted transaction rewinds the streams to the last commit (unless they are about to go:
// revocation, shutdown), and too many in a row stop the service.
Status Service::commit_transaction(bool rewind_after_abort) {
  const auto started = SteadyClock::now();
  std::vector<GroupOffset> offsets;
  for (const auto& [partition, stream] : streams_) {
    if (auto commit = stream->group_commit()) {
      offsets.push_back(GroupOffset{partition, commit->next_offset,
                                    encode_group_offset_metadata(commit->metadata)});
    }
  }
  const std::uint64_t produced = sink_->records_produced();
  const bool has_records = produced != produced_before_transaction_;
  Status s = Status::ok();
  for (auto it = streams_.begin(); s.is_ok() && it != streams_.end(); ++it) s = it->second->stage();
  if (!s.is_ok()) return s;
  produced_before_transaction_ = sink_->records_produced();
  s = sink_->commit_transaction(offsets, *source_);
  if (s.is_ok()) {
    // Only a transaction with records shows that output gets through again.
    if (has_records) aborts_in_a_row_ = 0;
    for (auto& [partition, stream] : streams_) stream->transaction_committed();
    s = sink_->begin_transaction();
    std::size_t left = streams_.size();
    for (auto it = streams_.begin(); s.is_ok() && it != streams_.end(); ++it) {
      // One WAL sync, as in commit_all.
      s = it->second->write(sink_->changelog_checkpoint_offset(it->first), --left == 0);
    }
    if (s.is_ok()) observer_.committed(SteadyClock::now() - started);
    return s;
  }
  if (s.kind() != ErrorKind::retry) return s;
  if (++aborts_in_a_row_ >= kMaxAbortsInARow) {
    return Status::fatal(std::to_string(aborts_in_a_row_) +
                         " Kafka transactions aborted in a row, the last: " + s.message());
  }
  log::warn("kafka_transaction_aborted",
            {{"detail", s.message()},
             {"action", rewind_after_abort ? "rewinding to the last commit"
                                           : "the partitions' next owner redoes the work"}});
  s = sink_->begin_transaction();
  if (s.is_ok() && rewind_after_abort) s = rewind();
  return s;
}

// Drops the streams' work since the last commit: restores them and seeks the consumer.
Status Service::rewind() {
  std::vector<std::int32_t> partitions;
  for (const auto& [partition, stream] : streams_) partitions.push_back(partition);
  streams_.clear();
  const auto starts = restore_streams(partitions, SteadyClock::now());
  if (!failure_.is_ok()) return failure_;
  std::vector<std::pair<std::int32_t, std::optional<std::int64_t>>> positions;
  for (std::size_t i = 0; i < partitions.size(); ++i)
    positions.emplace_back(partitions[i], starts[i]);
  return source_->rewind(positions);
}

}  // namespace segmentd
