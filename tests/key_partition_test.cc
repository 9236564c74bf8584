#include "connectors/kafka/key_partition.h"

#include <catch2/catch.hpp>

namespace segmentd {
namespace {

TEST_CASE("key partition: murmur2 as Kafka's Utils.murmur2 (its UtilsTest vectors)") {
  CHECK(kafka_murmur2("21") == -973932308);
  CHECK(kafka_murmur2("foobar") == -790332482);
  CHECK(kafka_murmur2("a-little-bit-long-string") == -985981536);
  CHECK(kafka_murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(kafka_murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(kafka_murmur2("abc") == 479470107);
}

TEST_CASE("key partition: positive murmur2 modulo the partition count") {
  CHECK(key_partition("21", 7) == (-973932308 & 0x7fffffff) % 7);
  CHECK(key_partition("abc", 1) == 0);
  for (int p = 1; p < 50; ++p) {
    const std::int32_t partition = key_partition("member-" + std::to_string(p), p);
    CHECK(partition >= 0);
    CHECK(partition < p);
  }
}

}  // namespace
}  // namespace segmentd
