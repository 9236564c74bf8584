#include "app/run_job.h"

#include <chrono>
#include <map>
#include <memory>

#include "app/log.h"
#include "app/partition_stream.h"
#include "connectors/event_parser.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"

namespace segmentd {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollTimeout = std::chrono::milliseconds(50);
constexpr auto kIdleAdvanceEvery = std::chrono::milliseconds(100);
constexpr auto kPublishEvery = std::chrono::milliseconds(250);

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

class Service final : public PartitionListener {
 public:
  Service(const SegmentdConfig& config, RunObserver& observer)
      : config_(config), observer_(observer), parser_(config.input.max_event_bytes) {}

  Status run(const std::atomic<bool>& stop);

  std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) override;
  void on_revoked(const std::vector<std::int32_t>& partitions) override;

 private:
  Status open();
  void handle(const KafkaRecord& record);
  void advance_idle_partitions();
  Status commit_all();
  void publish();
  PartitionFigures figures_of(const PartitionStream& stream) const;

  const SegmentdConfig& config_;
  RunObserver& observer_;
  EventParser parser_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<KafkaSource> source_;
  std::map<std::int32_t, std::unique_ptr<PartitionStream>> streams_;
  Status failure_ = Status::ok();  // a fatal error met inside a rebalance callback
};

Status Service::open() {
  Status s = StateStore::open(StoreOptions{config_.state.dir}, store_);
  if (!s.is_ok()) return s;
  KafkaSinkSettings sink{producer_properties(config_.kafka_properties), config_.application_id,
                         config_.output.topic, config_.output.dlq_topic, config_.output.routes,
                         config_.output.actions_topic};
  s = KafkaSink::open(sink, sink_);
  if (!s.is_ok()) return s;
  sink_->set_ack_latency_observer(
      [this](std::chrono::nanoseconds latency) { observer_.transition_acknowledged(latency); });
  return KafkaSource::open(consumer_properties(config_.kafka_properties, config_.application_id),
                           config_.input.topic, *this, source_);
}

Status Service::run(const std::atomic<bool>& stop) {
  Status s = open();
  if (!s.is_ok()) return s;
  log::info("service_started", {{"input_topic", config_.input.topic},
                                {"output_topic", config_.output.topic},
                                {"group", config_.application_id}});
  auto last_commit = SteadyClock::now();
  auto last_idle_advance = last_commit;
  auto last_publish = last_commit;
  const auto commit_interval = std::chrono::milliseconds(config_.processing.commit_interval.ms);
  KafkaRecord record;
  while (!stop.load(std::memory_order_relaxed) && failure_.is_ok()) {
    switch (source_->poll(kPollTimeout, record)) {
      case PollOutcome::record:
        handle(record);
        break;
      case PollOutcome::partition_end:
        if (auto it = streams_.find(record.partition); it != streams_.end()) {
          it->second->caught_up = true;
        }
        break;
      case PollOutcome::idle:
        break;
      case PollOutcome::error:
        if (source_->last_error().kind() == ErrorKind::fatal) return source_->last_error();
        log::warn("kafka_consumer_error", {{"detail", source_->last_error().message()}});
        break;
    }
    sink_->poll();
    const auto now = SteadyClock::now();
    if (now - last_idle_advance >= kIdleAdvanceEvery) {
      advance_idle_partitions();
      last_idle_advance = now;
    }
    if (now - last_commit >= commit_interval) {
      s = commit_all();
      if (!s.is_ok()) return s;
      last_commit = now;
    }
    if (now - last_publish >= kPublishEvery) {
      publish();
      last_publish = now;
    }
  }
  if (!failure_.is_ok()) return failure_;
  log::info("service_stopping", {{"partitions", std::to_string(streams_.size())}});
  observer_.set_ready(false);
  s = commit_all();
  if (!s.is_ok()) return s;
  source_->close();  // revokes: commits again (nothing new) and leaves the group
  return failure_;
}

void Service::handle(const KafkaRecord& record) {
  observer_.record_read();
  const auto it = streams_.find(record.partition);
  if (it == streams_.end()) return;  // not ours any more (revoked while in flight)
  PartitionStream& stream = *it->second;
  stream.caught_up = false;
  sink_->set_cause_read_time(SteadyClock::now());
  parser_.set_future_limit(wall_now() + config_.input.max_future_skew);
  PurchaseEvent event;
  Rejection rejection;
  if (parser_.parse(record.value, event, rejection)) {
    stream.apply(event, record.offset);
  } else {
    sink_->dead_letter(record, config_.input.topic, rejection);
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

Status Service::commit_all() {
  const auto started = SteadyClock::now();
  Status s = sink_->flush();
  if (!s.is_ok()) return s;
  std::vector<std::pair<std::int32_t, std::int64_t>> offsets;
  for (auto& [partition, stream] : streams_) {
    s = stream->commit();
    if (!s.is_ok()) return s;
    if (auto next = stream->resume_offset()) offsets.emplace_back(partition, *next);
  }
  source_->commit_offsets(offsets);
  observer_.committed(SteadyClock::now() - started);
  return Status::ok();
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
}

std::vector<std::optional<std::int64_t>> Service::on_assigned(
    const std::vector<std::int32_t>& partitions) {
  std::vector<std::optional<std::int64_t>> starts;
  const std::size_t cache_share =
      config_.state.cache_bytes / std::max<std::size_t>(1, partitions.size());
  for (std::int32_t partition : partitions) {
    std::unique_ptr<PartitionStream> stream;
    Status s =
        PartitionStream::restore(*store_, partition, config_.engine, cache_share, *sink_,
                                 config_.engine.enabled_actions.any() ? sink_.get() : nullptr,
                                 stream);
    if (!s.is_ok()) {
      if (failure_.is_ok()) failure_ = s;
      starts.emplace_back(std::nullopt);
      continue;
    }
    starts.push_back(stream->resume_offset());
    observer_.partition_restored(figures_of(*stream));
    streams_[partition] = std::move(stream);
  }
  log::info("partitions_assigned", {{"partitions", partition_list(partitions)}});
  observer_.set_ready(failure_.is_ok());
  return starts;
}

void Service::on_revoked(const std::vector<std::int32_t>& partitions) {
  observer_.set_ready(false);
  if (failure_.is_ok()) {
    Status s = commit_all();
    if (!s.is_ok()) failure_ = s;
  }
  publish();
  for (std::int32_t partition : partitions) streams_.erase(partition);
  observer_.partitions_revoked(partitions);
  log::info("partitions_revoked", {{"partitions", partition_list(partitions)}});
}

}  // namespace

Status run_service(const SegmentdConfig& config, RunObserver& observer,
                   const std::atomic<bool>& stop) {
  Service service(config, observer);
  try {
    return service.run(stop);
  } catch (const StateStoreError& e) {
    return Status::fatal(e.what());
  }
}

}  // namespace segmentd
