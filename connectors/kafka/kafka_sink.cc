#include "connectors/kafka/kafka_sink.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>

#include "connectors/action_json.h"
#include "connectors/kafka/kafka_client.h"
#include "connectors/transition_json.h"
#include "engine/event_time.h"

namespace segmentd {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Transitions carry their cause's read time (steady clock, ns) as the message opaque;
// dead letters and changelog records carry kNoLatency, changelog checkpoint records
// kChangelogCheckpoint (no steady-clock reading is ever 1 ns).
constexpr std::intptr_t kNoLatency = 0;
constexpr std::intptr_t kChangelogCheckpoint = 1;

class DeliveryTracker final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      if (first_failure.is_ok()) {
        first_failure = Status::fatal("kafka delivery to " + message.topic_name() +
                                      " failed: " + message.errstr());
      }
      return;
    }
    ++acknowledged;
    const auto read_ns = reinterpret_cast<std::intptr_t>(message.msg_opaque());
    if (read_ns == kChangelogCheckpoint) {
      changelog_checkpoints[message.partition()] = message.offset();
      return;
    }
    if (read_ns != kNoLatency && observer) {
      const auto now_ns = SteadyClock::now().time_since_epoch().count();
      observer(std::chrono::nanoseconds(now_ns - read_ns));
    }
  }

  Status first_failure = Status::ok();
  std::uint64_t acknowledged = 0;
  AckLatencyObserver observer;
  std::map<std::int32_t, std::int64_t> changelog_checkpoints;  // partition: latest offset
};

std::string ce_type(const Transition& t) {
  std::string type = "segmentd.transition.";
  type.append(t.family).append(".").append(t.to);
  return type;
}

}  // namespace

struct KafkaSink::Impl {
  KafkaSinkSettings settings;
  std::string ce_source;
  DeliveryTracker tracker;
  std::unique_ptr<EventRelay> relay;
  std::unique_ptr<RdKafka::Producer> producer;
  std::intptr_t cause_read_ns = kNoLatency;
  std::string value;  // reused buffer for transition JSON
  std::vector<const std::string*> destinations;

  // Produces one record (to `partition`, or the partitioner's choice), waiting while the
  // local queue is full. Takes `headers`. A null payload data() is a null value.
  void produce(const std::string& topic, std::string_view key, std::string_view payload,
               RdKafka::Headers* headers, std::intptr_t opaque,
               std::int32_t partition = RdKafka::Topic::PARTITION_UA) {
    for (;;) {
      const RdKafka::ErrorCode err = producer->produce(
          topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()),
          payload.size(), key.data(), key.size(), 0, headers, reinterpret_cast<void*>(opaque));
      if (err == RdKafka::ERR_NO_ERROR) return;
      if (err == RdKafka::ERR__QUEUE_FULL) {
        producer->poll(10);
        continue;
      }
      delete headers;
      if (tracker.first_failure.is_ok()) {
        tracker.first_failure =
            Status::fatal("kafka produce to " + topic + " failed: " + RdKafka::err2str(err));
      }
      return;
    }
  }

  void route(const Transition& t) {
    destinations.clear();
    bool instead = false;
    for (const OutputRoute& r : settings.routes) {
      if (r.family == t.family && r.to_label == t.to) {
        destinations.push_back(&r.topic);
        instead = instead || r.instead;
      }
    }
    if (!instead) destinations.insert(destinations.begin(), &settings.output_topic);
  }
};

KafkaSink::KafkaSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaSink::~KafkaSink() = default;

Status KafkaSink::open(const KafkaSinkSettings& settings, std::unique_ptr<KafkaSink>& sink) {
  auto impl = std::make_unique<Impl>();
  impl->settings = settings;
  impl->ce_source = "segmentd/" + settings.application_id;
  if (settings.events != nullptr) {
    impl->relay = std::make_unique<EventRelay>("producer", *settings.events);
  }
  Status s = make_producer(settings.properties, impl->tracker, impl->producer, impl->relay.get());
  if (!s.is_ok()) return s;
  sink.reset(new KafkaSink(std::move(impl)));
  return Status::ok();
}

void KafkaSink::set_ack_latency_observer(AckLatencyObserver observer) {
  impl_->tracker.observer = std::move(observer);
}

void KafkaSink::set_cause_read_time(std::chrono::steady_clock::time_point read_time) {
  impl_->cause_read_ns = static_cast<std::intptr_t>(read_time.time_since_epoch().count());
}

void KafkaSink::emit(const Transition& t) {
  Impl& impl = *impl_;
  impl.value.clear();
  append_transition_json(impl.value, t);
  const std::string id = std::string(t.member_id) + ":" + std::to_string(t.seq);
  const std::string time = format_rfc3339(t.effective_ts);
  const std::string type = ce_type(t);
  impl.route(t);
  for (const std::string* topic : impl.destinations) {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    headers->add("ce_specversion", "1.0");
    headers->add("ce_id", id);
    headers->add("ce_source", impl.ce_source);
    headers->add("ce_type", type);
    headers->add("ce_time", time);
    headers->add("content-type", "application/json");
    impl.produce(*topic, t.member_id, impl.value, headers, impl.cause_read_ns);
  }
}

void KafkaSink::emit(const MemberAction& action) {
  Impl& impl = *impl_;
  impl.value.clear();
  append_action_json(impl.value, action);
  std::string id;
  append_action_id(id, action);
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add("ce_specversion", "1.0");
  headers->add("ce_id", id);
  headers->add("ce_source", impl.ce_source);
  headers->add("ce_type", "segmentd.action." + std::string(action_name(action.kind)));
  headers->add("ce_time", format_rfc3339(action.due));
  headers->add("content-type", "application/json");
  impl.produce(impl.settings.actions_topic, action.member_id, impl.value, headers, kNoLatency);
}

void KafkaSink::dead_letter(const KafkaRecord& record, const std::string& source_topic,
                            const Rejection& rejection) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add("segmentd-error", std::string(reason_code(rejection.reason)));
  headers->add("segmentd-error-detail", rejection.detail);
  headers->add("segmentd-source-topic", source_topic);
  headers->add("segmentd-source-partition", std::to_string(record.partition));
  headers->add("segmentd-source-offset", std::to_string(record.offset));
  impl_->produce(impl_->settings.dlq_topic, record.key, record.value, headers, kNoLatency);
}

void KafkaSink::changelog_put(std::int32_t partition, std::string_view key,
                              std::optional<std::string_view> value) {
  impl_->produce(impl_->settings.changelog_topic, key, value.value_or(std::string_view()), nullptr,
                 kNoLatency, partition);
}

void KafkaSink::changelog_checkpoint(std::int32_t partition, std::string_view key,
                                     std::string_view value) {
  impl_->produce(impl_->settings.changelog_topic, key, value, nullptr, kChangelogCheckpoint,
                 partition);
}

std::optional<std::int64_t> KafkaSink::changelog_checkpoint_offset(std::int32_t partition) const {
  const auto& offsets = impl_->tracker.changelog_checkpoints;
  if (const auto it = offsets.find(partition); it != offsets.end()) return it->second;
  return std::nullopt;
}

void KafkaSink::poll() { impl_->producer->poll(0); }

Status KafkaSink::flush() {
  while (impl_->producer->outq_len() > 0) {
    impl_->producer->flush(1000);
    std::string reason;
    if (impl_->producer->fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
      return Status::fatal("kafka producer: " + reason);
    }
  }
  return impl_->tracker.first_failure;
}

std::uint64_t KafkaSink::records_acknowledged() const { return impl_->tracker.acknowledged; }

std::size_t KafkaSink::pending() const {
  return static_cast<std::size_t>(std::max(0, impl_->producer->outq_len()));
}

}  // namespace segmentd
