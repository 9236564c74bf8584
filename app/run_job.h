// `segmentd run` (SPEC 2-4, 7): the service loop. Consumes `input.topic` as a member of
// the consumer group, runs one PartitionStream per assigned partition, publishes
// transitions and dead letters through the Kafka sink and commits at least once, or
// exactly once in Kafka transactions.
//
// Commit protocol (every processing.commit_interval, on revocation and at shutdown):
//   1. flush the producer: every transition and dead letter so far is acknowledged;
//      a failed delivery stops the run without committing (the work is redone after a
//      restart, with the same transition ids);
//   2. per partition, the changed member records and then the checkpoint (clock,
//      counters, thresholds, next input offset, tally) go to the state changelog
//      `<application.id>-state-changelog` (partition p for input partition p, through the
//      same producer), and the producer is flushed again: the changelog is never ahead of
//      the output;
//   3. per partition, one atomic RocksDB batch: changed members, clock, counters, the
//      next input offset and the changelog offset of step 2's checkpoint record: the
//      store is never ahead of the changelog;
//   4. the group's offsets (for lag tooling; the state's offsets are authoritative).
// After a crash each partition resumes at its committed offset: at most the work since
// the last commit is redone, emitting the same transitions again.
//
// Exactly once (processing.guarantee = exactly_once), at the same moments:
//   1. commit the open Kafka transaction (transitions, actions, dead letters,
//      and the streams' changelog records) with every
//      assigned partition's next offset and clock as the group's offsets (fenced by the
//      group generation); an abortable failure aborts it and rewinds every stream to the
//      last commit (restored from the state store, consumer seeked back);
//   2. begin the next transaction;
//   3. the RocksDB batches as above, so local state is never ahead of Kafka.
// On assignment a stream whose local state is behind the group's committed offset
// catches up without output (partition_stream.h). A producer that failed otherwise than
// by being fenced or refused is replaced (kafka_sink.h) and its transaction's work
// rewound as for an abort; a fenced or refused producer, or five aborted transactions in
// a row, stop the run.
//
// Scale-out (SPEC 7): the changelog topic is created at the first assignment when
// missing (changelog_topic.h; one with the wrong partition count or not compacted stops
// the service). Each assigned partition is first brought up to its changelog
// (changelog_restore.h: nothing to do when the local checkpoint is the changelog's last,
// the records after it otherwise, the whole changelog for an empty state dir), inside the
// rebalance callback, while /readyz says "restoring partition N"; so any instance can
// take over any partition, whatever the input's retention. With state.changelog = false
// there is no changelog topic, step 2 sends nothing and nothing is restored from it: a
// partition without local state starts at the input's earliest retained offset (exactly
// once, it catches up silently to the group's committed offset from there).
// With processing.standby_replicas > 0, a standby thread (standby_replicas.h) keeps the
// partitions of the previous members in the group's ring (standby_choice.h) up to their
// changelog; an assignment first stops it on the assigned partitions, a revocation hands
// them back after their last commit. Each assignment logs `partition_ready` per
// partition (whether it was warm, seconds since the callback began).
//
// Live time (SPEC 2, 4): events more than input.max_future_skew ahead of the wall clock
// are rejected as future_timestamp; a partition with nothing left to fetch follows
// wall clock - time.idle_delay.
//
// Runs on the calling thread until `stop` becomes true (then drains, flushes, commits
// and returns ok) or a fatal error.
#pragma once

#include <atomic>

#include "app/member_queries.h"
#include "app/run_observer.h"
#include "config/segmentd_config.h"
#include "engine/status.h"

namespace segmentd {

// With `queries`, the processing loop answers GET /members/{id} (member_queries.h):
// the member's explanation (200), 404 naming the owning partition when this instance
// does not own it, 503 while the input topic's partition count is unknown.
// `embedded_cluster`: the brokers are librdkafka's mock cluster (segmentd demo), which
// cannot describe a topic's configuration: the changelog topic's cleanup.policy is not
// checked.
Status run_service(const SegmentdConfig& config, RunObserver& observer,
                   const std::atomic<bool>& stop, MemberQueries* queries = nullptr,
                   bool embedded_cluster = false);

}  // namespace segmentd
