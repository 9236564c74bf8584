// The partition a record key goes to under librdkafka's `murmur2_random` partitioner,
// which is the Java client's default: (murmur2(key) & 0x7fffffff) % partition_count.
// segmentd's producers set it (kafka_properties.h), so a member's partition is this of
// its member id. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace segmentd {

// Kafka's murmur2 (seed 0x9747b28c), as org.apache.kafka.common.utils.Utils.murmur2.
std::int32_t kafka_murmur2(std::string_view key);

// REQUIRES: partition_count > 0.
std::int32_t key_partition(std::string_view key, std::int32_t partition_count);

}  // namespace segmentd
