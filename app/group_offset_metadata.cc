#include "app/group_offset_metadata.h"

#include <charconv>

namespace segmentd {

namespace {

constexpr std::string_view kPrefix = "segmentd/1";

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<EpochMs> ms(std::string_view text) {
  const auto value = number(text);
  return value ? std::optional<EpochMs>(EpochMs{*value}) : std::nullopt;
}

}  // namespace

std::string encode_group_offset_metadata(const GroupOffsetMetadata& m) {
  std::string out(kPrefix);
  if (m.from) out.append(" from=").append(std::to_string(*m.from));
  if (m.idle) out.append(" idle=").append(std::to_string(m.idle->ms));
  if (m.clock) out.append(" clock=").append(std::to_string(m.clock->ms));
  return out;
}

GroupOffsetMetadata decode_group_offset_metadata(std::string_view text) {
  GroupOffsetMetadata m;
  if (!text.starts_with(kPrefix)) return m;
  text.remove_prefix(kPrefix.size());
  while (text.starts_with(' ')) {
    text.remove_prefix(1);
    const std::string_view field = text.substr(0, text.find(' '));
    text.remove_prefix(field.size());
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (name == "from") m.from = number(value);
    if (name == "idle") m.idle = ms(value);
    if (name == "clock") m.clock = ms(value);
  }
  return m;
}

}  // namespace segmentd
