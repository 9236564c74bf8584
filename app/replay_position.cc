#include "app/replay_position.h"

#include <limits>
#include <numeric>

#include "state/varint.h"

namespace segmentd {

namespace {
constexpr char kFormat = 1;
}

std::uint64_t ReplayPosition::rejected_total() const {
  return std::accumulate(rejected.begin(), rejected.end(), std::uint64_t{0});
}

std::string encode_replay_position(const ReplayPosition& p) {
  std::string out(1, kFormat);
  for (std::uint64_t v : {p.lines, p.input_offset, p.output_bytes, p.dlq_bytes, p.events_read,
                          std::uint64_t{p.sorted}, std::uint64_t{p.finished}}) {
    bytes::put_varint(out, v);
  }
  for (std::uint64_t v : p.rejected) bytes::put_varint(out, v);
  bytes::put_varint(out, p.actions_bytes);
  return out;
}

bool decode_replay_position(std::string_view encoded, ReplayPosition& p) {
  if (encoded.empty() || encoded.front() != kFormat) return false;
  bytes::Reader in(encoded.substr(1));
  std::uint64_t sorted = 0, finished = 0;
  for (std::uint64_t* v : {&p.lines, &p.input_offset, &p.output_bytes, &p.dlq_bytes, &p.events_read,
                           &sorted, &finished}) {
    *v = in.varint();
  }
  for (std::uint64_t& v : p.rejected) v = in.varint();
  p.actions_bytes = in.at_end() ? 0 : in.varint();  // absent before member actions existed
  p.sorted = sorted != 0;
  p.finished = finished != 0;
  // File offsets and lengths must fit off_t; flags are 0 or 1.
  constexpr auto kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return in.ok() && in.at_end() && sorted <= 1 && finished <= 1 && p.input_offset <= kMaxOffset &&
         p.output_bytes <= kMaxOffset && p.dlq_bytes <= kMaxOffset;
}

}  // namespace segmentd
