#include "app/run_job.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "app/group_instance_id.h"
#include "app/log.h"
#include "app/service.h"
#include "connectors/kafka/changelog_topic.h"
#include "connectors/kafka/kafka_access_check.h"
#include "connectors/kafka/kafka_properties.h"
#include "connectors/kafka/key_partition.h"
#include "connectors/member_explanation_json.h"
#include "connectors/transition_json.h"
#include "engine/member_explanation.h"

namespace segmentd {

namespace {

constexpr auto kPollTimeout = std::chrono::milliseconds(50);
constexpr auto kIdleAdvanceEvery = std::chrono::milliseconds(100);
constexpr auto kPublishEvery = std::chrono::milliseconds(250);
constexpr auto kWaitingReminder = std::chrono::seconds(15);
// An outage is logged as over once the brokers stayed reachable this long (a restarting
// broker may accept connections and drop them again for a moment).
constexpr auto kReachableSettle = std::chrono::seconds(3);
// Fenced again this soon after rejoining: another instance shares the group.instance.id.
constexpr auto kMinRejoinInterval = std::chrono::seconds(60);

EpochMs wall_now() {
  return EpochMs{std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()};
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

}  // namespace

Service::~Service() {
  fail(Status::fatal("service destroyed"));
  leave_group();
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
