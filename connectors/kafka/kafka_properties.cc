#include "connectors/kafka/kafka_properties.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace segmentd {

namespace {

// Properties only one kind of client understands; librdkafka warns about the others.
constexpr std::array<std::string_view, 14> kConsumerOnly = {"group.id",
                                                            "group.instance.id",
                                                            "auto.offset.reset",
                                                            "session.timeout.ms",
                                                            "heartbeat.interval.ms",
                                                            "max.poll.interval.ms",
                                                            "fetch.min.bytes",
                                                            "fetch.wait.max.ms",
                                                            "fetch.max.bytes",
                                                            "isolation.level",
                                                            "partition.assignment.strategy",
                                                            "queued.min.messages",
                                                            "enable.auto.commit",
                                                            "auto.commit.interval.ms"};
constexpr std::array<std::string_view, 11> kProducerOnly = {"acks",
                                                            "linger.ms",
                                                            "queue.buffering.max.ms",
                                                            "batch.size",
                                                            "batch.num.messages",
                                                            "compression.type",
                                                            "compression.codec",
                                                            "partitioner",
                                                            "message.timeout.ms",
                                                            "transactional.id",
                                                            "transaction.timeout.ms"};

constexpr std::chrono::milliseconds kTransactionTimeout{10000};

bool contains(auto& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

void set(KafkaProperties& properties, std::string name, std::string value) {
  for (auto& [key, existing] : properties) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  properties.emplace_back(std::move(name), std::move(value));
}

}  // namespace

KafkaProperties consumer_properties(const KafkaProperties& configured, const std::string& group_id,
                                    const std::string& instance_id, bool read_committed) {
  // A fetch waits up to 5 ms for a full batch rather than returning each few records the
  // moment they arrive: at 10k events/s segmentd used 20-22 % of a core instead of 33-34 %
  // and the broker 87-88 % instead of 105 %, for at most 5 ms more latency
  // (docs/PERFORMANCE.md, "The allocator and fetch batching").
  KafkaProperties out = {{"group.id", group_id},
                         {"auto.offset.reset", "earliest"},
                         {"fetch.wait.max.ms", "5"},
                         {"fetch.min.bytes", "1048576"}};
  if (!instance_id.empty()) out.emplace_back("group.instance.id", instance_id);
  for (const auto& [name, value] : configured) {
    if (!contains(kProducerOnly, name)) set(out, name, value);
  }
  std::erase_if(out,
                [](const auto& p) { return p.first == "group.instance.id" && p.second.empty(); });
  set(out, "enable.auto.commit", "false");
  set(out, "enable.auto.offset.store", "false");
  set(out, "enable.partition.eof", "true");
  if (read_committed) set(out, "isolation.level", "read_committed");
  return out;
}

KafkaProperties producer_properties(const KafkaProperties& configured,
                                    const std::string& transactional_id) {
  KafkaProperties out = {{"linger.ms", "5"}, {"partitioner", "murmur2_random"}};
  if (!transactional_id.empty()) {
    out.emplace_back("transactional.id", transactional_id);
    out.emplace_back("transaction.timeout.ms", std::to_string(kTransactionTimeout.count()));
  }
  for (const auto& [name, value] : configured) {
    if (!contains(kConsumerOnly, name)) set(out, name, value);
  }
  set(out, "enable.idempotence", "true");
  set(out, "acks", "all");
  return out;
}

std::optional<std::chrono::milliseconds> transaction_timeout(const KafkaProperties& configured) {
  std::chrono::milliseconds timeout = kTransactionTimeout;
  for (const auto& [name, value] : configured) {
    if (name != "transaction.timeout.ms") continue;
    std::int64_t ms = 0;
    const char* end = value.data() + value.size();
    const auto [stop, error] = std::from_chars(value.data(), end, ms);
    if (error != std::errc() || stop != end) return std::nullopt;
    timeout = std::chrono::milliseconds(ms);
  }
  return timeout;
}

}  // namespace segmentd
