// Inputs shared by the micro benchmarks: event lines in the generator's formats, member
// ids and member states of a typical size. Deterministic (fixed seed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/member_state.h"

namespace segmentd::bench {

// `count` event lines over `members` member ids, in the formats segmentd-gen mixes
// (epoch-ms and RFC 3339 times, amounts as numbers and strings, items with categories).
std::vector<std::string> event_lines(std::size_t count, std::size_t members);

// "m-<n>" for n in [0, count).
std::vector<std::string> member_ids(std::size_t count);

// A member with `purchases` purchases on distinct days, a full dedupe ring and a timer.
MemberState typical_member(std::uint32_t purchases);

}  // namespace segmentd::bench
