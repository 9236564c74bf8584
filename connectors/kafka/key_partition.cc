#include "connectors/kafka/key_partition.h"

namespace segmentd {

std::int32_t kafka_murmur2(std::string_view key) {
  constexpr std::uint32_t kSeed = 0x9747b28c;
  constexpr std::uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto length = static_cast<std::uint32_t>(key.size());
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(key[i]));
  };
  std::uint32_t h = kSeed ^ length;
  const std::size_t words = key.size() / 4;
  for (std::size_t i = 0; i < words; ++i) {
    const std::size_t at = i * 4;
    std::uint32_t k = byte(at) | (byte(at + 1) << 8) | (byte(at + 2) << 16) | (byte(at + 3) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const std::size_t tail = words * 4;
  switch (key.size() % 4) {
    case 3:
      h ^= byte(tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte(tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte(tail);
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

std::int32_t key_partition(std::string_view key, std::int32_t partition_count) {
  const auto positive = static_cast<std::uint32_t>(kafka_murmur2(key)) & 0x7fffffffU;
  return static_cast<std::int32_t>(positive % static_cast<std::uint32_t>(partition_count));
}

}  // namespace segmentd
