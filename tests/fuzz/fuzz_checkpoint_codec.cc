// libFuzzer target: arbitrary bytes as a stored stream checkpoint (decode_checkpoint) and
// as the connector positions a checkpoint carries (a Kafka partition's, a replay's). Any
// bytes must be either refused or decoded into a value whose encoding decodes back to
// the same value; never a crash, an out-of-bounds read, an overflow or other undefined
// behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/partition_position.h"
#include "app/replay_position.h"
#include "state/member_codec.h"

namespace {

// decode(bytes), then checks that encoding the value again is stable:
// encode(decode(encode(v))) == encode(v).
template <class Value, class Decode, class Encode>
void check_round_trip(std::string_view bytes, Decode decode, Encode encode) {
  Value value{};
  if (!decode(bytes, value)) return;
  const std::string encoded = encode(value);
  Value again{};
  if (!decode(encoded, again) || encode(again) != encoded) std::abort();
}

std::string encode_stream_checkpoint(const segmentd::StreamCheckpoint& checkpoint) {
  std::string out;
  segmentd::encode_checkpoint(out, checkpoint);
  return out;
}

void check_positions(std::string_view bytes) {
  check_round_trip<segmentd::PartitionPosition>(bytes, segmentd::decode_partition_position,
                                                segmentd::encode_partition_position);
  check_round_trip<segmentd::ReplayPosition>(bytes, segmentd::decode_replay_position,
                                             segmentd::encode_replay_position);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_round_trip<segmentd::StreamCheckpoint>(
      bytes,
      [](std::string_view in, segmentd::StreamCheckpoint& out) {
        return segmentd::decode_checkpoint(in, out);
      },
      encode_stream_checkpoint);
  segmentd::StreamCheckpoint checkpoint;
  if (segmentd::decode_checkpoint(bytes, checkpoint)) check_positions(checkpoint.source_position);
  check_positions(bytes);
  return 0;
}
