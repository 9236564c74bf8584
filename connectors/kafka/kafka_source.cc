#include "connectors/kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <thread>

#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

std::vector<std::int32_t> partition_numbers(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<std::int32_t> numbers;
  numbers.reserve(list.size());
  for (const RdKafka::TopicPartition* tp : list) numbers.push_back(tp->partition());
  return numbers;
}

// Which partitions a fetch has answered since they were assigned: librdkafka keeps a
// partition's high watermark from its last fetch, also across a revocation, so until
// the first answer after an assignment the watermark may be another owner's past.
class FetchAnswers {
 public:
  void forget_all() { answered_.assign(answered_.size(), false); }
  void answered(std::int32_t partition) {
    const auto index = static_cast<std::size_t>(partition);
    if (index >= answered_.size()) answered_.resize(index + 1, false);
    answered_[index] = true;
  }
  bool has_answered(std::int32_t partition) const {
    const auto index = static_cast<std::size_t>(partition);
    return index < answered_.size() && answered_[index];
  }

 private:
  std::vector<bool> answered_;
};

// Runs the listener on assignment and revocation (eager protocol), inside consume(). Once
// `closing`, an assignment is taken and given back without the listener: a source that is
// closing takes no partitions.
class Rebalancer final : public RdKafka::RebalanceCb {
 public:
  Rebalancer(PartitionListener& listener, FetchAnswers& answers)
      : listener_(listener), answers_(answers) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (closing && err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      assigned_while_closing_ = true;
      consumer->assign(partitions);
    } else if (assigned_while_closing_) {
      assigned_while_closing_ = false;
      consumer->unassign();
    } else if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // Known ends stay known through the revocation (its last figures are published
      // with them) and are forgotten at the next assignment.
      answers_.forget_all();
      const auto starts = listener_.on_assigned(partition_numbers(partitions));
      for (std::size_t i = 0; i < partitions.size(); ++i) {
        partitions[i]->set_offset(starts[i] ? *starts[i] : RdKafka::Topic::OFFSET_BEGINNING);
      }
      consumer->assign(partitions);
    } else {
      listener_.on_revoked(partition_numbers(partitions));
      consumer->unassign();
    }
  }

  bool closing = false;

 private:
  PartitionListener& listener_;
  FetchAnswers& answers_;
  bool assigned_while_closing_ = false;  // the current assignment was not given to the listener
};

// Serves what the consumer has queued (rebalance callbacks included), dropping the records
// fetched ahead unread, until its queue is empty or, while fetchers keep filling it with a
// backlog, for at most a second.
void serve_queued(RdKafka::KafkaConsumer& consumer) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> message(consumer.consume(0));
    if (message->err() == RdKafka::ERR__TIMED_OUT) return;
  }
}

}  // namespace

struct KafkaSource::Impl {
  explicit Impl(PartitionListener& listener) : rebalancer(listener, answers) {}
  FetchAnswers answers;
  Rebalancer rebalancer;
  std::unique_ptr<EventRelay> relay;
  std::string topic;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::unique_ptr<RdKafka::Message> current;
  Status error = Status::ok();
  bool closed = false;
};

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaSource::~KafkaSource() { close(); }

Status KafkaSource::open(const KafkaProperties& properties, const std::string& topic,
                         PartitionListener& listener, std::unique_ptr<KafkaSource>& source,
                         KafkaClientEvents* events) {
  auto impl = std::make_unique<Impl>(listener);
  impl->topic = topic;
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  std::string error;
  if (conf->set("rebalance_cb", &impl->rebalancer, error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka consumer: " + error);
  }
  if (events != nullptr) {
    impl->relay = std::make_unique<EventRelay>("consumer", *events, true);
    s = attach_events(*conf, properties, *impl->relay);
    if (!s.is_ok()) return s;
  }
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl->consumer) return Status::fatal("kafka consumer: " + error);
  const RdKafka::ErrorCode err = impl->consumer->subscribe({topic});
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::fatal("kafka consumer: subscribe to " + topic + ": " + RdKafka::err2str(err));
  }
  source.reset(new KafkaSource(std::move(impl)));
  return Status::ok();
}

PollOutcome KafkaSource::poll(std::chrono::milliseconds timeout, KafkaRecord& record) {
  impl_->current.reset(impl_->consumer->consume(static_cast<int>(timeout.count())));
  const RdKafka::Message& message = *impl_->current;
  switch (message.err()) {
    case RdKafka::ERR_NO_ERROR:
      record.partition = message.partition();
      impl_->answers.answered(record.partition);
      record.offset = message.offset();
      record.timestamp_ms =
          message.timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
              ? -1
              : message.timestamp().timestamp;
      record.key =
          message.key_pointer() != nullptr
              ? std::string_view(static_cast<const char*>(message.key_pointer()), message.key_len())
              : std::string_view();
      record.value = std::string_view(static_cast<const char*>(message.payload()), message.len());
      return PollOutcome::record;
    case RdKafka::ERR__PARTITION_EOF:
      record.partition = message.partition();
      impl_->answers.answered(record.partition);
      return PollOutcome::partition_end;
    case RdKafka::ERR__TIMED_OUT:
      return PollOutcome::idle;
    default: {
      std::string detail = message.errstr();
      std::string fatal_reason;
      const bool fatal = message.err() == RdKafka::ERR__FATAL;
      if (fatal) impl_->consumer->fatal_error(fatal_reason);
      impl_->error = Status::error(fatal ? ErrorKind::fatal : ErrorKind::retry,
                                   "kafka consumer: " + (fatal ? fatal_reason : detail));
      return PollOutcome::error;
    }
  }
}

const Status& KafkaSource::last_error() const { return impl_->error; }

void KafkaSource::commit_offsets(
    const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets) {
  // After a lost session the group has moved on: a commit would be refused, and with
  // static membership refused as fenced, a fatal error.
  if (offsets.empty() || impl_->consumer->assignment_lost()) return;
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [partition, offset] : offsets) {
    list.push_back(RdKafka::TopicPartition::create(impl_->topic, partition, offset));
  }
  impl_->consumer->commitAsync(list);
  RdKafka::TopicPartition::destroy(list);
}

Status KafkaSource::committed_offsets(const std::vector<std::int32_t>& partitions,
                                      std::chrono::milliseconds timeout,
                                      std::vector<std::optional<GroupOffset>>& offsets) const {
  constexpr auto kUnstableRetry = std::chrono::milliseconds(200);
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  const std::unique_ptr<rd_kafka_topic_partition_list_t,
                        decltype(&rd_kafka_topic_partition_list_destroy)>
      list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
           &rd_kafka_topic_partition_list_destroy);
  for (std::int32_t p : partitions)
    rd_kafka_topic_partition_list_add(list.get(), impl_->topic.c_str(), p);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    rd_kafka_resp_err_t err =
        rd_kafka_committed(impl_->consumer->c_ptr(), list.get(),
                           static_cast<int>(std::max<std::int64_t>(1, left.count())));
    for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) {
      err = list->elems[i].err;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (Clock::now() + kUnstableRetry >= deadline) {
      return Status::error(ErrorKind::retry,
                           "kafka consumer: reading the group's committed offsets: " +
                               std::string(rd_kafka_err2str(err)));
    }
    // UNSTABLE_OFFSET_COMMIT: another member's transaction is still open, or the
    // coordinator is moving: ask again.
    std::this_thread::sleep_for(kUnstableRetry);
  }
  offsets.clear();
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.offset < 0) {
      offsets.emplace_back(std::nullopt);
      continue;
    }
    GroupOffset offset{tp.partition, tp.offset, {}};
    if (tp.metadata != nullptr) {
      offset.metadata.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
    }
    offsets.emplace_back(std::move(offset));
  }
  return Status::ok();
}

Status KafkaSource::rewind(
    const std::vector<std::pair<std::int32_t, std::optional<std::int64_t>>>& starts) {
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [partition, start] : starts) {
    list.push_back(RdKafka::TopicPartition::create(
        impl_->topic, partition, start ? *start : RdKafka::Topic::OFFSET_BEGINNING));
  }
  impl_->current.reset();
  const RdKafka::ErrorCode err = impl_->consumer->assign(list);
  RdKafka::TopicPartition::destroy(list);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::fatal("kafka consumer: rewinding the assigned partitions: " +
                         RdKafka::err2str(err));
  }
  return Status::ok();
}

void* KafkaSource::client_handle() const { return impl_->consumer->c_ptr(); }

const std::string& KafkaSource::topic_name() const { return impl_->topic; }

std::optional<std::int64_t> KafkaSource::end_offset(std::int32_t partition) const {
  if (!impl_->answers.has_answered(partition)) return std::nullopt;
  std::int64_t low = 0;
  std::int64_t high = 0;
  if (impl_->consumer->get_watermark_offsets(impl_->topic, partition, &low, &high) !=
          RdKafka::ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return high;
}

std::string KafkaSource::member_id() const { return impl_->consumer->memberid(); }

std::optional<std::int32_t> KafkaSource::partition_count() const {
  constexpr int kMetadataTimeoutMs = 2000;
  std::string error;
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(impl_->consumer.get(), impl_->topic, nullptr, error));
  if (!topic) return std::nullopt;
  RdKafka::Metadata* raw = nullptr;
  if (impl_->consumer->metadata(false, topic.get(), &raw, kMetadataTimeoutMs) !=
      RdKafka::ERR_NO_ERROR) {
    return std::nullopt;
  }
  const std::unique_ptr<RdKafka::Metadata> metadata(raw);
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() == impl_->topic && t->err() == RdKafka::ERR_NO_ERROR &&
        !t->partitions()->empty()) {
      return static_cast<std::int32_t>(t->partitions()->size());
    }
  }
  return std::nullopt;
}

void KafkaSource::pause_fetching(bool paused) {
  std::vector<RdKafka::TopicPartition*> assigned;
  if (impl_->consumer->assignment(assigned) != RdKafka::ERR_NO_ERROR) return;
  if (paused) {
    impl_->consumer->pause(assigned);
  } else {
    impl_->consumer->resume(assigned);
  }
  RdKafka::TopicPartition::destroy(assigned);
}

bool KafkaSource::fenced() const {
  std::string reason;
  return impl_->consumer->fatal_error(reason) == RdKafka::ERR_FENCED_INSTANCE_ID;
}

void KafkaSource::close() {
  if (impl_ == nullptr || impl_->closed) return;
  impl_->closed = true;
  impl_->current.reset();
  // An assignment the consumer has queued (a rebalance that ended since the last poll) is
  // served here, before librdkafka's close, and given back without the listener: an
  // assign() called from inside close() can wait forever (librdkafka 2.0.2,
  // confluentinc/librdkafka#4884). One that arrives while close() runs still goes
  // through it.
  impl_->rebalancer.closing = true;
  serve_queued(*impl_->consumer);
  impl_->consumer->close();
}

}  // namespace segmentd
