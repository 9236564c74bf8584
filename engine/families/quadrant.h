// The quadrant family (SPEC 5.5): frequency x monetary over the last quadrant.window
// days. confidant (high F, high M), butterfly (low F, high M), barnacle (high F, low M),
// passer_by (low F, low M), none when f_W = 0. With fixed thresholds it is time-driven
// (quadrant_fixed_label); with medians the daily sweep supplies F* and M*.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "engine/families/family_rules.h"
#include "engine/member_state.h"

namespace segmentd {

// An index of family_labels(FamilyId::quadrant).
std::uint8_t quadrant_label(std::int64_t f_w, Money m_w, std::int64_t f_star, Money m_star);

// With fixed thresholds, at instant `now` (window: days day(now) - W + 1 ... day(now)).
std::uint8_t quadrant_fixed_label(const MemberFigures& figures, EpochMs now,
                                  const QuadrantRules& rules, DurationMs utc_offset);

}  // namespace segmentd
