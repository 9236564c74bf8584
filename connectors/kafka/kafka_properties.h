// librdkafka configuration for segmentd's clients: segmentd's defaults, then every
// `kafka.<property>` of the configuration passed through unchanged (SPEC 9), then the
// few settings the delivery protocol depends on, which cannot be overridden.
//
// Consumer defaults: group.id = application.id, auto.offset.reset = earliest,
//   group.instance.id = `instance_id` when not empty (static membership); a configured
//   kafka.group.instance.id replaces it, and an empty one turns static membership off.
// Consumer fixed: enable.auto.commit = false, enable.auto.offset.store = false,
//   enable.partition.eof = true (offsets are committed by segmentd with its state);
//   with `read_committed` (exactly once) isolation.level = read_committed.
// Producer defaults: linger.ms = 5, partitioner = murmur2_random (the Java client's, so
//   keys land on the same partitions as with Kafka Streams or any Java producer).
// Producer defaults with a `transactional_id` (exactly once): transactional.id = it,
//   transaction.timeout.ms = 10000 (a killed instance's open transaction blocks its
//   partitions' next owner at most this long, as in Kafka Streams).
// Producer fixed: enable.idempotence = true, acks = all (SPEC 7).
// Consumer-only and producer-only properties are given only to their own client.
// Pure; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace segmentd {

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

KafkaProperties consumer_properties(const KafkaProperties& configured, const std::string& group_id,
                                    const std::string& instance_id = "",
                                    bool read_committed = false);
KafkaProperties producer_properties(const KafkaProperties& configured,
                                    const std::string& transactional_id = "");
// The transactional producer's transaction.timeout.ms: the configured one, else the
// default above; nullopt when the configured value is not a whole number of milliseconds
// (librdkafka then refuses it).
std::optional<std::chrono::milliseconds> transaction_timeout(const KafkaProperties& configured);

}  // namespace segmentd
