#include "connectors/kafka/record_producer.h"

#include <librdkafka/rdkafkacpp.h>

#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

class FailureTracker final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR && first_failure.is_ok()) {
      first_failure =
          Status::fatal("delivery to " + message.topic_name() + " failed: " + message.errstr());
    }
  }
  Status first_failure = Status::ok();
};

}  // namespace

struct RecordProducer::Impl {
  FailureTracker tracker;
  std::unique_ptr<RdKafka::Producer> producer;
};

RecordProducer::RecordProducer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordProducer::~RecordProducer() = default;

Status RecordProducer::open(const KafkaProperties& properties,
                            std::unique_ptr<RecordProducer>& producer) {
  auto impl = std::make_unique<Impl>();
  Status s = make_producer(properties, impl->tracker, impl->producer);
  if (!s.is_ok()) return s;
  producer.reset(new RecordProducer(std::move(impl)));
  return Status::ok();
}

Status RecordProducer::produce(const std::string& topic, std::string_view key,
                               std::string_view value, std::int64_t timestamp_ms) {
  for (;;) {
    const RdKafka::ErrorCode err = impl_->producer->produce(
        topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.empty() ? nullptr : key.data(),
        key.size(), timestamp_ms, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) break;
    if (err != RdKafka::ERR__QUEUE_FULL) {
      return Status::fatal("produce to " + topic + ": " + RdKafka::err2str(err));
    }
    impl_->producer->poll(10);
  }
  impl_->producer->poll(0);
  return impl_->tracker.first_failure;
}

Status RecordProducer::flush() {
  while (impl_->producer->outq_len() > 0) impl_->producer->flush(1000);
  return impl_->tracker.first_failure;
}

}  // namespace segmentd
