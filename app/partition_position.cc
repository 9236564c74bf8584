#include "app/partition_position.h"

#include "state/varint.h"

namespace segmentd {

namespace {
constexpr char kFormat = 3;                 // replay positions are format 1
constexpr char kFormatBeforeChangelog = 2;  // no changelog offset
}  // namespace

std::string encode_partition_position(const PartitionPosition& p) {
  std::string out(1, kFormat);
  bytes::put_signed(out, p.next_offset);
  bytes::put_varint(out, p.records_read);
  for (std::uint64_t v : p.rejected) bytes::put_varint(out, v);
  bytes::put_signed(out, p.changelog_offset);
  return out;
}

bool decode_partition_position(std::string_view encoded, PartitionPosition& p) {
  if (encoded.empty() ||
      (encoded.front() != kFormat && encoded.front() != kFormatBeforeChangelog)) {
    return false;
  }
  bytes::Reader in(encoded.substr(1));
  p.next_offset = in.signed_varint();
  p.records_read = in.varint();
  for (std::uint64_t& v : p.rejected) v = in.varint();
  p.changelog_offset = encoded.front() == kFormat ? in.signed_varint() : -1;
  return in.ok() && in.at_end() && p.next_offset >= -1 && p.changelog_offset >= -1;
}

}  // namespace segmentd
