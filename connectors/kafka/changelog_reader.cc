#include "connectors/kafka/changelog_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <thread>

#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

constexpr auto kRequestTimeout = std::chrono::milliseconds(5000);
constexpr auto kPollSlice = std::chrono::milliseconds(100);

KafkaProperties restore_properties(const KafkaProperties& configured, const std::string& topic) {
  KafkaProperties out;
  for (const auto& [name, value] : configured) {
    if (name != "group.instance.id" && name != "group.id") out.emplace_back(name, value);
  }
  // Needed by librdkafka's consumer even without subscribing; never joined.
  out.emplace_back("group.id", topic + "-restore");
  out.emplace_back("isolation.level", "read_committed");
  out.emplace_back("enable.partition.eof", "true");
  out.emplace_back("enable.auto.commit", "false");
  out.emplace_back("fetch.max.bytes", "67108864");
  out.emplace_back("max.partition.fetch.bytes", "67108864");
  out.emplace_back("queued.max.messages.kbytes", "65536");
  out.emplace_back("fetch.wait.max.ms", "10");
  return out;
}

// The partition's offset at `position` (OFFSET_BEGINNING or OFFSET_END: ListOffsets'
// earliest and latest). offsetsForTimes, not query_watermark_offsets: librdkafka before
// 2.3 ignores the latter's timeout and waits forever when the broker is gone
// (librdkafka#2588).
RdKafka::ErrorCode list_offset(RdKafka::KafkaConsumer& consumer, const std::string& topic,
                               std::int32_t partition, std::int64_t position,
                               std::int64_t& offset) {
  std::vector<RdKafka::TopicPartition*> query = {
      RdKafka::TopicPartition::create(topic, partition, position)};
  RdKafka::ErrorCode err =
      consumer.offsetsForTimes(query, static_cast<int>(kRequestTimeout.count()));
  if (err == RdKafka::ERR_NO_ERROR) err = query[0]->err();
  offset = query[0]->offset();
  RdKafka::TopicPartition::destroy(query);
  return err;
}

}  // namespace

struct ChangelogReader::Impl {
  std::unique_ptr<LogRelay> relay;  // declared first: outlives the consumer
  std::string topic;
  std::chrono::milliseconds timeout{};
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

ChangelogReader::ChangelogReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChangelogReader::~ChangelogReader() {
  if (impl_ && impl_->consumer) impl_->consumer->close();
}

Status ChangelogReader::open(const KafkaProperties& properties, const std::string& topic,
                             std::chrono::milliseconds timeout,
                             std::unique_ptr<ChangelogReader>& reader, KafkaClientEvents* events) {
  auto impl = std::make_unique<Impl>();
  impl->topic = topic;
  impl->timeout = timeout;
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(restore_properties(properties, topic), conf);
  if (!s.is_ok()) return s;
  if (events != nullptr) {
    impl->relay = std::make_unique<LogRelay>("changelog", *events);
    s = impl->relay->attach(*conf);
    if (!s.is_ok()) return s;
  }
  std::string error;
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl->consumer) return Status::fatal("kafka changelog consumer: " + error);
  reader.reset(new ChangelogReader(std::move(impl)));
  return Status::ok();
}

const std::string& ChangelogReader::topic() const { return impl_->topic; }

// Retried for the timeout: a topic just created has no leaders for a moment, and a broker
// may be restarting.
Status ChangelogReader::watermarks(std::int32_t partition, std::int64_t& low, std::int64_t& high) {
  const auto deadline = std::chrono::steady_clock::now() + impl_->timeout;
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
  do {
    err = list_offset(*impl_->consumer, impl_->topic, partition, RdKafka::Topic::OFFSET_BEGINNING,
                      low);
    if (err == RdKafka::ERR_NO_ERROR) {
      err =
          list_offset(*impl_->consumer, impl_->topic, partition, RdKafka::Topic::OFFSET_END, high);
    }
    if (err == RdKafka::ERR_NO_ERROR) return Status::ok();
    std::this_thread::sleep_for(kPollSlice);
  } while (std::chrono::steady_clock::now() < deadline);
  return Status::error(ErrorKind::retry, "reading the offsets of " + impl_->topic + " partition " +
                                             std::to_string(partition) + ": " +
                                             RdKafka::err2str(err));
}

Status ChangelogReader::read(std::int32_t partition, std::int64_t from, std::int64_t to,
                             const std::function<Status(const ChangelogEntry&)>& visit,
                             const std::atomic<bool>* stop) {
  if (from >= to) return Status::ok();
  const std::chrono::milliseconds stall = impl_->timeout;
  const std::string where = impl_->topic + " partition " + std::to_string(partition);
  std::vector<RdKafka::TopicPartition*> assignment = {
      RdKafka::TopicPartition::create(impl_->topic, partition, from)};
  RdKafka::ErrorCode err = impl_->consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::fatal("reading " + where + ": " + RdKafka::err2str(err));
  }
  Status result = Status::ok();
  auto last_progress = std::chrono::steady_clock::now();
  for (bool done = false; !done && result.is_ok();) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) break;
    const std::unique_ptr<RdKafka::Message> message(
        impl_->consumer->consume(static_cast<int>(kPollSlice.count())));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR: {
        last_progress = std::chrono::steady_clock::now();
        if (message->offset() >= to) {
          done = true;
          break;
        }
        ChangelogEntry entry;
        entry.offset = message->offset();
        if (message->key_pointer() != nullptr) {
          entry.key = std::string_view(static_cast<const char*>(message->key_pointer()),
                                       message->key_len());
        }
        if (message->payload() != nullptr) {
          entry.value =
              std::string_view(static_cast<const char*>(message->payload()), message->len());
        }
        result = visit(entry);
        done = message->offset() + 1 >= to;
        break;
      }
      case RdKafka::ERR__PARTITION_EOF:
        done = true;
        break;
      case RdKafka::ERR__TIMED_OUT:
        if (std::chrono::steady_clock::now() - last_progress > stall) {
          result = Status::error(ErrorKind::retry, "reading " + where + ": no record for " +
                                                       std::to_string(stall.count()) + " ms");
        }
        break;
      default:  // transient (a broker away) unless fatal; the stall limit applies
        if (message->err() == RdKafka::ERR__FATAL ||
            std::chrono::steady_clock::now() - last_progress > stall) {
          result = Status::fatal("reading " + where + ": " + message->errstr());
        }
        break;
    }
  }
  impl_->consumer->unassign();
  return result;
}

}  // namespace segmentd
