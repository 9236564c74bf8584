// The `segmentd run` service (run_job.h): one consumer-group member with its partition
// streams, the Kafka sink, the state store and its writer, the changelog reader and the
// standby replicas. Internal to app/: run_service() is its only user. Its member
// functions live in three files:
//   run_job.cc            opening, the processing loop, records, broker events, queries;
//   service_commits.cc    the commit protocol (run_job.h), at least once and exactly once;
//   service_assignment.cc assignment and revocation: restoring partitions from the state
//                         store and the changelog, standby replicas.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commit_turns.h"
#include "app/member_queries.h"
#include "app/partition_stream.h"
#include "app/run_observer.h"
#include "app/service_health.h"
#include "app/standby_choice.h"
#include "app/standby_replicas.h"
#include "app/state_writer.h"
#include "config/segmentd_config.h"
#include "connectors/event_parser.h"
#include "connectors/kafka/changelog_reader.h"
#include "connectors/kafka/consumer_group.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "engine/status.h"
#include "state/state_store.h"

namespace segmentd {

// Shutdown order: the consumer leaves the group first (its revoke callback still sees
// every partition stream), then the streams go, then the sink and the store. After a
// failure nothing more is committed on the way out.
//
// At least once, each partition's commit waits for its deliveries while the loop goes on
// consuming (commit_turns.h); a partition stream dropped with a commit in flight (fenced,
// failed) takes it along unwritten, its changelog records left unfinished (restore skips
// them, changelog_restore.h).
//
// Exactly once (processing.guarantee): a transaction is open whenever records may be
// produced. Each commit sends the streams' group offsets (group_offset_metadata.h) into
// it, commits it, begins the next, and only then writes the local state; see
// partition_stream.h for why a crash at any point then gives each transition once to
// read_committed consumers. An aborted transaction rewinds: the streams are restored
// from the last commit and the consumer seeks back to them.
class Service final : public PartitionListener, public KafkaClientEvents {
 public:
  using SteadyClock = std::chrono::steady_clock;

  Service(const SegmentdConfig& config, RunObserver& observer, MemberQueries* queries,
          bool embedded_cluster)
      : config_(config),
        exactly_once_(config.processing.guarantee == DeliveryGuarantee::exactly_once),
        changelog_(config.state.changelog),
        observer_(observer),
        queries_(queries),
        embedded_cluster_(embedded_cluster),
        parser_(config.input.max_event_bytes) {}
  ~Service() override;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  Status run(const std::atomic<bool>& stop);

  std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) override;
  void on_revoked(const std::vector<std::int32_t>& partitions) override;

  void log(std::string_view client, KafkaLogLevel level, std::string_view facility,
           std::string_view message) override;
  void brokers_reachable(std::string_view client, bool reachable, std::string_view detail) override;
  void client_error(std::string_view client, bool fatal, std::string_view message) override;

 private:
  // The first retry of a state commit refused with a retryable error (disk full); the
  // delay doubles up to service_commits.cc's maximum.
  static constexpr auto kFirstCommitRetry = std::chrono::seconds(1);

  Status open();
  Status open_source();
  Status open_changelog();
  Status restore_partition(std::int32_t partition, std::size_t cache_bytes,
                           std::unique_ptr<PartitionStream>& stream);
  HttpReply explain(const std::string& member_id);
  Status rejoin();
  Status consume(const std::atomic<bool>& stop);
  void leave_group();
  void fail(const Status& s) {
    if (failure_.is_ok()) failure_ = s;
  }
  void handle(const KafkaRecord& record);
  void advance_idle_partitions();
  Status commit_all(bool rewind_after_abort = true);
  Status commit_transaction(bool rewind_after_abort);
  Status rewind();
  std::vector<std::optional<std::int64_t>> restore_streams(
      const std::vector<std::int32_t>& partitions, SteadyClock::time_point assigned_at);
  Status open_standby();
  std::optional<StandbyChoice> choose_standby(ConsumerGroupDescriber& group);
  std::string transactional_id() const;
  Status commit_in_turns(bool turn_due);
  void group_committed(std::int32_t partition, const PartitionStream::WrittenCommit& written);
  // in_turns: commit_in_turns(due), else commit_all().
  Status commit_or_hold(SteadyClock::time_point now, bool in_turns, bool due);
  void log_outage_end(SteadyClock::time_point now);
  void update_readiness() { observer_.set_readiness(health_.not_ready_reason()); }
  void publish();
  PartitionFigures figures_of(const PartitionStream& stream) const;

  const SegmentdConfig& config_;
  const bool exactly_once_;
  const bool changelog_;  // state.changelog: otherwise no changelog topic, writes or restores
  int aborts_in_a_row_ = 0;
  std::uint64_t produced_before_transaction_ = 0;
  RunObserver& observer_;
  MemberQueries* queries_;                       // null: no GET /members
  bool embedded_cluster_;                        // the mock cluster: see run_service
  std::optional<std::int32_t> partition_count_;  // of the input topic, once known
  EventParser parser_;
  ServiceHealth health_;
  std::string instance_id_;  // the default group.instance.id, kept in state.dir
  std::string member_id_;    // the group.instance.id in use
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<KafkaSink> sink_;
  std::string changelog_topic_;
  std::unique_ptr<ChangelogReader> changelog_reader_;  // opened at the first assignment
  StateWriter state_writer_;  // the streams' batch writes; after the store, before the streams
  PartitionStreams streams_;
  // processing.standby_replicas > 0: started with the changelog reader; goes before the
  // store it writes.
  std::unique_ptr<StandbyReplicas> standby_;
  std::mutex consumer_member_mutex_;         // guards consumer_member_ (read by the standby thread)
  std::string consumer_member_;              // the consumer's member id at the last assignment
  bool standby_group_unknown_ = false;       // the last description failed (standby thread only)
  std::unique_ptr<KafkaSource> source_;      // last: goes first (see leave_group)
  Status failure_ = Status::ok();            // the first fatal error, from anywhere
  const std::atomic<bool>* stop_ = nullptr;  // run()'s: gives up transactional calls
  // While state commits fail with a retryable error (disk full): fetching is paused
  // and the commit retried at `next_commit_retry`, the delay doubling each time.
  bool holding_ = false;
  SteadyClock::duration commit_retry_delay_ = kFirstCommitRetry;
  SteadyClock::time_point next_commit_retry_;
  CommitTurns commit_turns_;     // at least once
  bool commit_written_ = false;  // a commit was written in this loop turn's commit step
  // The group fenced the consumer off (librdkafka's static membership does so after a
  // lost session): it is replaced by a new one, without committing the work in hand.
  bool fenced_ = false;
  bool discarding_ = false;  // on_revoked must not commit
  std::optional<SteadyClock::time_point> last_rejoin_;
  // Broker outage logging: one line when it starts, one when it is over.
  std::optional<SteadyClock::time_point> outage_since_;
  std::optional<SteadyClock::time_point> reachable_since_;
  SteadyClock::time_point waiting_since_;
  SteadyClock::time_point last_waiting_log_;
};

}  // namespace segmentd
