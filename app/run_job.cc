#include "app/run_job.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "app/changelog_restore.h"
#include "app/commit_turns.h"
#include "app/group_instance_id.h"
#include "app/group_offset_metadata.h"
#include "app/log.h"
#include "app/partition_stream.h"
#include "app/service_health.h"
#include "app/standby_choice.h"
#include "app/standby_replicas.h"
#include "connectors/event_parser.h"
#include "connectors/kafka/changelog_reader.h"
#include "connectors/kafka/changelog_topic.h"
#include "connectors/kafka/consumer_group.h"
#include "connectors/kafka/kafka_access_check.h"
#include "connectors/kafka/kafka_properties.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/kafka/key_partition.h"
#include "connectors/member_explanation_json.h"
#include "connectors/transition_json.h"
#include "engine/member_explanation.h"

namespace segmentd {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollTimeout = std::chrono::milliseconds(50);
constexpr auto kIdleAdvanceEvery = std::chrono::milliseconds(100);
constexpr auto kPublishEvery = std::chrono::milliseconds(250);
constexpr auto kFirstCommitRetry = std::chrono::seconds(1);
constexpr auto kMaxCommitRetry = std::chrono::seconds(30);
constexpr auto kWaitingReminder = std::chrono::seconds(15);
// An outage is logged as over once the brokers stayed reachable this long (a restarting
// broker may accept connections and drop them again for a moment).
constexpr auto kReachableSettle = std::chrono::seconds(3);
// Fenced again this soon after rejoining: another instance shares the group.instance.id.
constexpr auto kMinRejoinInterval = std::chrono::seconds(60);
// Exactly once: how long reading the group's committed offsets may wait for a transaction
// of a killed instance to be aborted (transaction.timeout.ms, then the broker's check).
constexpr auto kCommittedOffsetsTimeout = std::chrono::seconds(90);
// Exactly once: this many aborted transactions in a row stop the service.
constexpr int kMaxAbortsInARow = 5;

EpochMs wall_now() {
  return EpochMs{std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()};
}

std::string partition_list(const std::vector<std::int32_t>& partitions) {
  std::string out;
  for (std::int32_t p : partitions) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

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

Service::~Service() {
  fail(Status::fatal("service destroyed"));
  leave_group();
}

// Exactly once, a transaction stays open for up to a commit interval; the broker aborts
// one open longer than transaction.timeout.ms and fences its producer.
Status check_commit_interval(const SegmentdConfig& config) {
  if (config.processing.guarantee != DeliveryGuarantee::exactly_once) return Status::ok();
  const auto timeout = transaction_timeout(config.kafka_properties);
  const std::chrono::milliseconds interval(config.processing.commit_interval.ms);
  if (!timeout || interval < *timeout) return Status::ok();
  return Status::fatal("processing.commit_interval (" + std::to_string(interval.count()) +
                       " ms) must be shorter than kafka.transaction.timeout.ms (" +
                       std::to_string(timeout->count()) +
                       " ms) with processing.guarantee = exactly_once: the broker aborts a "
                       "transaction open longer and fences the producer");
}

Status Service::open() {
  if (Status s = check_commit_interval(config_); !s.is_ok()) return s;
  if (Status s = check_kafka_access(producer_properties(config_.kafka_properties)); !s.is_ok())
    return s;
  Status s = StateStore::open(StoreOptions{.dir = config_.state.dir,
                                           .write_buffer_bytes = config_.state.write_buffer_bytes},
                              store_);
  if (!s.is_ok()) return s;
  s = group_instance_id(config_.state.dir, instance_id_);
  if (!s.is_ok()) return s;
  if (changelog_) changelog_topic_ = changelog_topic_name(config_.application_id);
  KafkaSinkSettings sink{
      producer_properties(config_.kafka_properties, exactly_once_ ? transactional_id() : ""),
      config_.application_id,
      config_.output.topic,
      config_.output.dlq_topic,
      config_.output.routes,
      config_.output.actions_topic,
      changelog_topic_,
      this};
  sink.stop = stop_;
  s = KafkaSink::open(sink, sink_);
  if (!s.is_ok()) return s;
  sink_->set_ack_latency_observer(
      [this](std::chrono::nanoseconds latency) { observer_.transition_acknowledged(latency); });
  if (exactly_once_) {
    s = sink_->begin_transaction();
    if (!s.is_ok()) return s;
  }
  return open_source();
}

// One per instance, stable across restarts: a restarted instance's producer fences its
// former self and aborts the transaction it left open.
std::string Service::transactional_id() const {
  std::string member = instance_id_;
  for (const auto& [name, value] : config_.kafka_properties) {
    if (name == "group.instance.id" && !value.empty()) member = value;
  }
  return config_.application_id + "-" + member;
}

Status Service::open_source() {
  const KafkaProperties consumer = consumer_properties(
      config_.kafka_properties, config_.application_id, instance_id_, exactly_once_);
  Status s = KafkaSource::open(consumer, config_.input.topic, *this, source_, this);
  if (!s.is_ok()) return s;
  member_id_ = "dynamic (kafka.group.instance.id is empty)";
  for (const auto& [name, value] : consumer) {
    if (name == "group.instance.id") member_id_ = value;
  }
  log::info("waiting_for_partitions",
            {{"group", config_.application_id}, {"group_instance_id", member_id_}});
  return Status::ok();
}

Status Service::run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  Status s = open();
  if (s.is_ok()) {
    try {
      s = consume(stop);
    } catch (const StateStoreError& e) {
      s = Status::fatal(e.what());
    }
  }
  if (!s.is_ok()) fail(s);
  leave_group();
  return failure_;
}

Status Service::rejoin() {
  fenced_ = false;
  const auto now = SteadyClock::now();
  if (last_rejoin_ && now - *last_rejoin_ < kMinRejoinInterval) {
    return Status::fatal("kafka consumer fenced again: another instance uses group.instance.id " +
                         member_id_ +
                         " (give each instance its own state.dir or "
                         "kafka.group.instance.id)");
  }
  last_rejoin_ = now;
  log::warn(
      "kafka_consumer_fenced",
      {{"group_instance_id", member_id_},
       {"action", "rejoining with a new consumer; the work since the last commit is redone"}});
  discarding_ = true;
  source_->close();
  discarding_ = false;
  source_.reset();
  std::vector<std::int32_t> dropped;
  for (const auto& [partition, stream] : streams_) dropped.push_back(partition);
  streams_.clear();
  // Their local state is at their last commit: the standby may tail them again.
  if (standby_) standby_->release(dropped);
  if (exactly_once_) {
    // Its offsets would be refused with the old generation: the new assignment redoes it.
    Status s = sink_->abort_transaction();
    if (s.is_ok()) s = sink_->begin_transaction();
    if (!s.is_ok()) return s;
  }
  waiting_since_ = last_waiting_log_ = now;
  return open_source();
}

void Service::leave_group() {
  if (source_ == nullptr) return;
  source_->close();  // on_revoked runs for the assignment: commits only while all is well
  source_.reset();
  streams_.clear();
}

Status Service::consume(const std::atomic<bool>& stop) {
  log::info("service_started", {{"input_topic", config_.input.topic},
                                {"output_topic", config_.output.topic},
                                {"group", config_.application_id},
                                {"state_changelog", changelog_ ? changelog_topic_ : "off"}});
  auto last_commit = SteadyClock::now();
  auto last_idle_advance = last_commit;
  auto last_publish = last_commit;
  waiting_since_ = last_waiting_log_ = last_commit;
  const auto commit_interval = std::chrono::milliseconds(config_.processing.commit_interval.ms);
  KafkaRecord record;
  while (!stop.load(std::memory_order_relaxed) && failure_.is_ok()) {
    observer_.heartbeat();
    if (queries_ != nullptr) {
      queries_->answer_pending([this](const std::string& id) { return explain(id); });
    }
    if (fenced_) {
      Status s = rejoin();
      if (!s.is_ok()) return s;
    }
    switch (source_->poll(kPollTimeout, record)) {
      case PollOutcome::record:
        handle(record);
        break;
      case PollOutcome::partition_end:
        if (auto it = streams_.find(record.partition); it != streams_.end()) {
          it->second->caught_up = true;
          it->second->finish_catch_up();
        }
        break;
      case PollOutcome::idle:
        break;
      case PollOutcome::error:
        if (source_->fenced()) {
          fenced_ = true;
          break;
        }
        if (source_->last_error().kind() == ErrorKind::fatal) return source_->last_error();
        log::warn("kafka_consumer_error", {{"detail", source_->last_error().message()}});
        break;
    }
    sink_->poll();
    const auto now = SteadyClock::now();
    if (!exactly_once_ && now - last_idle_advance >= kIdleAdvanceEvery) {
      advance_idle_partitions();
      last_idle_advance = now;
    }
    // At least once, the partitions take turns: one commits every commit_interval / N, so
    // each is committed once per interval, and the processing goes on while a commit
    // waits for its deliveries (commit_turns.h).
    const bool in_turns = !exactly_once_ && !holding_;
    const SteadyClock::duration commit_every =
        in_turns
            ? SteadyClock::duration(commit_interval) /
                  static_cast<SteadyClock::duration::rep>(std::max<std::size_t>(1, streams_.size()))
            : SteadyClock::duration(commit_interval);
    const bool due = holding_ ? now >= next_commit_retry_ : now - last_commit >= commit_every;
    if (in_turns || due) {
      const auto began = SteadyClock::now();
      commit_written_ = false;
      const bool staging = std::ranges::any_of(
          streams_, [](const auto& partition) { return partition.second->staging(); });
      Status s = commit_or_hold(now, in_turns, due);
      if (!s.is_ok()) return s;
      if (due || staging || commit_written_) observer_.commit_paused(SteadyClock::now() - began);
    }
    if (due) {
      last_commit = now;
      // Exactly once, an idle advance only ever opens a transaction (partition_stream.h).
      if (exactly_once_ && !holding_) advance_idle_partitions();
    }
    log_outage_end(now);
    if (now - last_publish >= kPublishEvery) {
      publish();
      last_publish = now;
    }
    if (streams_.empty() && now - last_waiting_log_ >= kWaitingReminder) {
      log::info(
          "still_waiting_for_partitions",
          {{"seconds",
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(now - waiting_since_).count())},
           {"hint",
            "the group coordinator assigns partitions once the previous member's "
            "session has timed out (kafka.session.timeout.ms)"}});
      last_waiting_log_ = now;
    }
  }
  if (!failure_.is_ok()) return failure_;
  // An outage that ended less than kReachableSettle ago is still reported as ended.
  if (outage_since_ && !health_.brokers_unreachable()) {
    if (!reachable_since_) reachable_since_ = SteadyClock::now();
    log_outage_end(*reachable_since_ + kReachableSettle);
  }
  log::info("service_stopping", {{"partitions", std::to_string(streams_.size())}});
  observer_.set_readiness(std::string("stopping"));
  return commit_all(false);
}

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

void Service::handle(const KafkaRecord& record) {
  observer_.record_read();
  const auto it = streams_.find(record.partition);
  if (it == streams_.end()) return;  // not ours any more (revoked while in flight)
  PartitionStream& stream = *it->second;
  stream.caught_up = false;
  const bool emits = stream.emits_at(record.offset);
  sink_->set_cause_read_time(SteadyClock::now());
  parser_.set_future_limit(wall_now() + config_.input.max_future_skew);
  PurchaseEvent event;
  Rejection rejection;
  if (parser_.parse(record.value, event, rejection)) {
    stream.apply(event, record.offset);
  } else {
    if (emits) sink_->dead_letter(record, config_.input.topic, rejection);
    stream.reject(rejection.reason, record.offset);
  }
}

void Service::advance_idle_partitions() {
  const EpochMs target = wall_now() - config_.time.idle_delay;
  sink_->set_cause_read_time(SteadyClock::now());
  for (auto& [partition, stream] : streams_) {
    if (stream->caught_up) stream->advance_clock_to(target);
  }
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

PartitionFigures Service::figures_of(const PartitionStream& stream) const {
  return PartitionFigures{stream.partition(), stream.position(), stream.checkpoint(),
                          stream.timers_pending(), source_->end_offset(stream.partition())};
}

void Service::publish() {
  std::vector<PartitionFigures> figures;
  figures.reserve(streams_.size());
  for (const auto& [partition, stream] : streams_) figures.push_back(figures_of(*stream));
  observer_.publish(figures, store_->figures());
  if (standby_) {
    const StandbyFigures standby = standby_->figures();
    observer_.standby(standby.partitions, standby.lag_records, standby.records_read);
  }
}

std::vector<std::optional<std::int64_t>> Service::on_assigned(
    const std::vector<std::int32_t>& partitions) {
  const auto assigned_at = SteadyClock::now();
  {
    std::lock_guard lock(consumer_member_mutex_);
    consumer_member_ = source_->member_id();
  }
  const auto starts = restore_streams(partitions, assigned_at);
  if (standby_) standby_->refresh_soon();
  log::info("partitions_assigned", {{"partitions", partition_list(partitions)}});
  health_.set_assigned(failure_.is_ok());
  update_readiness();
  return starts;
}

// Restores the streams of `partitions` from the state store; exactly once, each catches
// up silently to the group's committed offset (partition_stream.h). Returns where each
// resumes; failures go to fail(). Standbys first stop tailing them (standby_replicas.h).
// Logs `partition_ready` for each, with the seconds since `assigned_at`.
std::vector<std::optional<std::int64_t>> Service::restore_streams(
    const std::vector<std::int32_t>& partitions, SteadyClock::time_point assigned_at) {
  Status opened = changelog_reader_ || !changelog_ ? Status::ok() : open_changelog();
  if (!opened.is_ok()) fail(opened);
  // Claimed before the committed offsets, which may wait for a killed owner's transaction
  // to be aborted: whether the standby kept them warm is decided at assignment.
  const std::vector<std::int32_t> warm =
      standby_ ? standby_->claim(partitions) : std::vector<std::int32_t>();
  std::vector<std::optional<GroupOffset>> committed(partitions.size());
  if (exactly_once_ && !partitions.empty() && failure_.is_ok()) {
    Status s = source_->committed_offsets(partitions, kCommittedOffsetsTimeout, committed);
    if (!s.is_ok()) {
      fail(Status::fatal(s.message()));
      return std::vector<std::optional<std::int64_t>>(partitions.size());
    }
  }
  std::vector<std::optional<std::int64_t>> starts;
  const std::size_t cache_share =
      config_.state.cache_bytes / std::max<std::size_t>(1, partitions.size());
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const std::int32_t partition = partitions[i];
    std::unique_ptr<PartitionStream> stream;
    Status s = failure_.is_ok() ? restore_partition(partition, cache_share, stream) : failure_;
    if (!s.is_ok()) {
      fail(s);
      starts.emplace_back(std::nullopt);
      continue;
    }
    if (committed[i]) {
      const std::int64_t local = stream->resume_offset().value_or(-1);
      stream->catch_up_silently(committed[i]->offset,
                                decode_group_offset_metadata(committed[i]->metadata));
      if (local < committed[i]->offset) {
        log::info("partition_catching_up",
                  {{"partition", std::to_string(partition)},
                   {"local_offset", std::to_string(local)},
                   {"committed_offset", std::to_string(committed[i]->offset)},
                   {"action", "re-processing without output up to the committed offset"}});
      }
    }
    starts.push_back(stream->resume_offset());
    observer_.partition_restored(figures_of(*stream));
    streams_[partition] = std::move(stream);
    const bool was_warm = std::find(warm.begin(), warm.end(), partition) != warm.end();
    log::info("partition_ready",
              {{"partition", std::to_string(partition)},
               {"standby", was_warm ? "warm" : "none"},
               {"seconds_since_assignment",
                std::to_string(
                    std::chrono::duration<double>(SteadyClock::now() - assigned_at).count())}});
  }
  return starts;
}

// The changelog topic is checked (or created) once the input topic's partition count is
// known for certain: at the first assignment.
Status Service::open_changelog() {
  const std::optional<std::int32_t> partitions = source_->partition_count();
  if (!partitions) {
    return Status::fatal("cannot read the partition count of " + config_.input.topic +
                         " to check the state changelog topic " + changelog_topic_);
  }
  Status s = ensure_changelog_topic(producer_properties(config_.kafka_properties), changelog_topic_,
                                    *partitions, this, !embedded_cluster_);
  if (!s.is_ok()) return s;
  s = ChangelogReader::open(
      consumer_properties(config_.kafka_properties, config_.application_id), changelog_topic_,
      std::chrono::milliseconds(config_.state.restore_timeout.ms), changelog_reader_, this);
  if (!s.is_ok() || config_.processing.standby_replicas == 0) return s;
  return open_standby();
}

// Standby replicas tail the changelog with a reader of their own and choose their
// partitions from the group's description (standby_choice.h).
Status Service::open_standby() {
  std::unique_ptr<ChangelogReader> reader;
  Status s = ChangelogReader::open(
      consumer_properties(config_.kafka_properties, config_.application_id), changelog_topic_,
      std::chrono::milliseconds(config_.state.restore_timeout.ms), reader, this);
  if (!s.is_ok()) return s;
  std::unique_ptr<ConsumerGroupDescriber> group;
  s = ConsumerGroupDescriber::open(producer_properties(config_.kafka_properties),
                                   config_.application_id, config_.input.topic, group, this);
  if (!s.is_ok()) return s;
  standby_ = std::make_unique<StandbyReplicas>(
      *store_, std::move(reader),
      [this, group = std::shared_ptr<ConsumerGroupDescriber>(std::move(group))] {
        return choose_standby(*group);
      });
  log::info("standby_replicas_started",
            {{"standby_replicas", std::to_string(config_.processing.standby_replicas)}});
  return Status::ok();
}

// On the standby thread.
std::optional<StandbyChoice> Service::choose_standby(ConsumerGroupDescriber& group) {
  GroupDescription description;
  const Status s = group.describe(description);
  if (!s.is_ok()) {
    if (!standby_group_unknown_) {
      log::warn("standby_group_unknown", {{"detail", s.message()},
                                          {"action",
                                           "keeping the standby partitions as they "
                                           "are; retrying"}});
    }
    standby_group_unknown_ = true;
    return std::nullopt;
  }
  standby_group_unknown_ = false;
  std::string self;
  {
    std::lock_guard lock(consumer_member_mutex_);
    self = consumer_member_;
  }
  return choose_standby_partitions(description, self, config_.processing.standby_replicas);
}

// Restores the partition's state from the changelog where the local store is behind it
// (or missing; never with state.changelog off), then its stream from the local store.
// Runs inside the rebalance callback: /readyz says which partition is being restored.
Status Service::restore_partition(std::int32_t partition, std::size_t cache_bytes,
                                  std::unique_ptr<PartitionStream>& stream) {
  observer_.restore_started(partition);
  health_.set_restoring(partition);
  update_readiness();
  const auto started = SteadyClock::now();
  ChangelogRestore restored;
  Status s = Status::ok();
  if (changelog_) {
    s = restore_from_changelog(
        *store_, *changelog_reader_, partition,
        [this](std::uint64_t records, std::uint64_t bytes) {
          observer_.restore_read(records, bytes);
          observer_.heartbeat();
        },
        restored);
  }
  if (s.is_ok()) {
    s = PartitionStream::restore(*store_, partition, config_.engine, cache_bytes, *sink_,
                                 config_.engine.enabled_actions.any() ? sink_.get() : nullptr,
                                 changelog_ ? sink_.get() : nullptr, state_writer_, stream);
  }
  if (s.is_ok()) stream->changelog_restored(restored);
  health_.set_restoring(std::nullopt);
  const auto took = SteadyClock::now() - started;
  observer_.restore_took(took);
  if (s.is_ok() && restored.records > 0) {
    log::info("partition_restored_from_changelog",
              {{"partition", std::to_string(partition)},
               {"records", std::to_string(restored.records)},
               {"bytes", std::to_string(restored.bytes)},
               {"unfinished_commit_members", std::to_string(restored.unfinished.size())},
               {"seconds", std::to_string(std::chrono::duration<double>(took).count())}});
  }
  return s;
}

void Service::on_revoked(const std::vector<std::int32_t>& partitions) {
  health_.set_assigned(false);
  update_readiness();
  if (failure_.is_ok() && !discarding_) {
    Status s = commit_all(false);
    if (!s.is_ok() && s.kind() == ErrorKind::retry) {
      // The state store refuses writes: the partitions go with their last commit, and
      // whoever gets them redoes the work since (at least once).
      log::warn("partitions_revoked_uncommitted", {{"detail", s.message()}});
    } else if (!s.is_ok()) {
      fail(s);
    }
  }
  publish();
  for (std::int32_t partition : partitions) streams_.erase(partition);
  // After their last commit: a standby may tail them from here on.
  if (standby_) standby_->release(partitions);
  observer_.partitions_revoked(partitions);
  log::info("partitions_revoked", {{"partitions", partition_list(partitions)}});
  waiting_since_ = last_waiting_log_ = SteadyClock::now();
}

void Service::log(std::string_view client, KafkaLogLevel level, std::string_view facility,
                  std::string_view message) {
  const std::initializer_list<log::Field> fields = {{"client", std::string(client)},
                                                    {"facility", std::string(facility)},
                                                    {"message", std::string(message)}};
  switch (level) {
    case KafkaLogLevel::error:
      log::error("kafka_client_log", fields);
      break;
    case KafkaLogLevel::warning:
      log::warn("kafka_client_log", fields);
      break;
    case KafkaLogLevel::info:
      log::info("kafka_client_log", fields);
      break;
  }
}

void Service::brokers_reachable(std::string_view client, bool reachable, std::string_view detail) {
  // An idle producer whose connections the broker closed is not an outage.
  if (!reachable && client == "producer" && sink_ != nullptr && sink_->pending() == 0) return;
  health_.set_reachable(client, reachable);
  update_readiness();
  if (health_.brokers_unreachable()) {
    reachable_since_.reset();
    if (outage_since_) return;
    outage_since_ = SteadyClock::now();
    log::warn("kafka_broker_unreachable", {{"client", std::string(client)},
                                           {"detail", std::string(detail)},
                                           {"action", "not ready; reconnecting"}});
  } else if (outage_since_ && !reachable_since_) {
    reachable_since_ = SteadyClock::now();
  }
}

void Service::log_outage_end(SteadyClock::time_point now) {
  if (!outage_since_ || !reachable_since_ || now - *reachable_since_ < kReachableSettle) return;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(*reachable_since_ - *outage_since_);
  log::info("kafka_broker_reachable", {{"outage_seconds", std::to_string(seconds.count())}});
  outage_since_.reset();
  reachable_since_.reset();
}

void Service::client_error(std::string_view client, bool fatal, std::string_view message) {
  const std::string what = "kafka " + std::string(client) + ": " + std::string(message);
  if (fatal && client == "consumer" && source_ != nullptr && source_->fenced()) {
    fenced_ = true;
  } else if (fatal && client == "producer" && exactly_once_) {
    // The sink replaces it at the next transactional call, or stops the service there
    // when it was fenced or refused (kafka_sink.h); the commit rewinds its work.
    log::warn("kafka_producer_failed",
              {{"detail", what}, {"action", "aborting the transaction at the next commit"}});
  } else if (fatal) {
    fail(Status::fatal(what));
  } else {
    log::warn("kafka_client_error", {{"detail", what}});
  }
}

}  // namespace

HttpReply Service::explain(const std::string& member_id) {
  constexpr std::string_view kJson = "application/json";
  if (!partition_count_ && source_ != nullptr) partition_count_ = source_->partition_count();
  if (!partition_count_) {
    return HttpReply{503, std::string(kJson),
                     "{\"error\":\"the input topic's partition count is unknown\"}"};
  }
  const std::int32_t partition = key_partition(member_id, *partition_count_);
  const auto it = streams_.find(partition);
  if (it == streams_.end()) {
    std::string body =
        "{\"error\":\"the member's partition is not assigned to this instance\","
        "\"member_id\":";
    append_json_string(body, member_id);
    body += ",\"partition\":" + std::to_string(partition) + "}";
    return HttpReply{404, std::string(kJson), std::move(body)};
  }
  PartitionStream& stream = *it->second;
  const MemberExplanation explanation = explain_member(
      member_id, stream.peek(member_id), config_.engine, stream.checkpoint().clock.clock);
  return HttpReply{200, std::string(kJson), member_explanation_json(explanation, partition)};
}

Status run_service(const SegmentdConfig& config, RunObserver& observer,
                   const std::atomic<bool>& stop, MemberQueries* queries, bool embedded_cluster) {
  Service service(config, observer, queries, embedded_cluster);
  return service.run(stop);
}

}  // namespace segmentd
