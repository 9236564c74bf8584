// The connector parts of checkpoints (Kafka partition and replay positions) round-trip,
// and decoding refuses values no encoder writes: offsets below -1, flags other than 0/1,
// file lengths beyond off_t. The exactly-once group offset metadata round-trips and reads
// as empty where it did not write it.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "app/group_offset_metadata.h"
#include "app/partition_position.h"
#include "app/replay_position.h"

namespace segmentd {
namespace {

TEST_CASE("partition positions round-trip and refuse offsets below -1", "[state]") {
  PartitionPosition p;
  p.next_offset = 41;
  p.records_read = 7;
  p.rejected[1] = 2;
  PartitionPosition decoded;
  REQUIRE(decode_partition_position(encode_partition_position(p), decoded));
  CHECK(decoded.next_offset == 41);
  CHECK(decoded.records_read == 7);
  CHECK(decoded.rejected == p.rejected);
  p.next_offset = -1;
  CHECK(decode_partition_position(encode_partition_position(p), decoded));
  p.next_offset = -2;
  CHECK_FALSE(decode_partition_position(encode_partition_position(p), decoded));
  p.next_offset = std::numeric_limits<std::int64_t>::min();
  CHECK_FALSE(decode_partition_position(encode_partition_position(p), decoded));
}

TEST_CASE("replay positions round-trip and refuse impossible flags and lengths", "[state]") {
  ReplayPosition p;
  p.lines = 10;
  p.input_offset = 500;
  p.output_bytes = 300;
  p.dlq_bytes = 20;
  p.events_read = 9;
  p.sorted = true;
  ReplayPosition decoded;
  REQUIRE(decode_replay_position(encode_replay_position(p), decoded));
  CHECK(decoded.output_bytes == 300);
  CHECK(decoded.sorted);
  CHECK_FALSE(decoded.finished);

  p.output_bytes = std::numeric_limits<std::uint64_t>::max();  // would be a negative off_t
  CHECK_FALSE(decode_replay_position(encode_replay_position(p), decoded));
  p.output_bytes = 300;
  p.input_offset = std::uint64_t{1} << 63;
  CHECK_FALSE(decode_replay_position(encode_replay_position(p), decoded));
  p.input_offset = 5;
  p.output_bytes = 3;  // every field one byte long now

  std::string bytes = encode_replay_position(p);
  REQUIRE(decode_replay_position(bytes, decoded));
  bytes[6] = 2;  // the `sorted` flag: format byte, then lines, offset, output, dlq, events
  CHECK_FALSE(decode_replay_position(bytes, decoded));
}

TEST_CASE("group offset metadata round-trips, and text it did not write reads as empty",
          "[state]") {
  const GroupOffsetMetadata full{41, EpochMs{1730419200123}, EpochMs{1730419300000}};
  CHECK(decode_group_offset_metadata(encode_group_offset_metadata(full)) == full);
  const GroupOffsetMetadata no_idle{-1, std::nullopt, EpochMs{-5}};
  CHECK(decode_group_offset_metadata(encode_group_offset_metadata(no_idle)) == no_idle);
  CHECK(encode_group_offset_metadata({}) == "segmentd/1");
  CHECK(decode_group_offset_metadata("segmentd/1") == GroupOffsetMetadata{});
  CHECK(decode_group_offset_metadata("") == GroupOffsetMetadata{});
  CHECK(decode_group_offset_metadata("clock=12") == GroupOffsetMetadata{});
  CHECK(decode_group_offset_metadata("segmentd/1 clock=12x from=3") ==
        GroupOffsetMetadata{3, std::nullopt, std::nullopt});
  CHECK(decode_group_offset_metadata("segmentd/1 clock=") == GroupOffsetMetadata{});
}

}  // namespace
}  // namespace segmentd
