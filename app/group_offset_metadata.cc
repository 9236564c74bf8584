#include "app/group_offset_metadata.h"

#include <charconv>

namespace segmentd {

namespace {
constexpr std::string_view kPrefix = "segmentd/1";
constexpr std::string_view kClock = " clock=";
}  // namespace

std::string encode_group_offset_metadata(std::optional<EpochMs> clock) {
  std::string out(kPrefix);
  if (clock) out.append(kClock).append(std::to_string(clock->ms));
  return out;
}

std::optional<EpochMs> decode_group_offset_clock(std::string_view metadata) {
  if (!metadata.starts_with(kPrefix)) return std::nullopt;
  metadata.remove_prefix(kPrefix.size());
  if (!metadata.starts_with(kClock)) return std::nullopt;
  metadata.remove_prefix(kClock.size());
  std::int64_t ms = 0;
  const auto [end, error] = std::from_chars(metadata.data(), metadata.data() + metadata.size(), ms);
  if (error != std::errc() || end != metadata.data() + metadata.size()) return std::nullopt;
  return EpochMs{ms};
}

}  // namespace segmentd
