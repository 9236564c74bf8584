// The quadrant family (SPEC 5.5): frequency x monetary over the last quadrant.window
// days. confidant (high F, high M), butterfly (low F, high M), barnacle (high F, low M),
// passer_by (low F, low M), none when f_W = 0. With fixed thresholds it is time-driven
// (quadrant_fixed_label); with medians the daily sweep supplies F* and M*.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/families/family_rules.h"
#include "engine/member_state.h"

namespace segmentd {

// An index of family_labels(FamilyId::quadrant).
std::uint8_t quadrant_label(std::int64_t f_w, Money m_w, std::int64_t f_star, Money m_star);

// With fixed thresholds, at instant `now` (window: days day(now) - W + 1 ... day(now)).
std::uint8_t quadrant_fixed_label(const MemberFigures& figures, EpochMs now,
                                  const QuadrantRules& rules, DurationMs utc_offset);

// With fixed thresholds, the earliest instant after `after` at which
// quadrant_fixed_label() differs from its value at `after`; nullopt when it never does.
// The label can only change at a local 00:00 where a day with activity enters the window
// (day d at the start of d) or leaves it (at the start of d + W), but most such instants
// change nothing (a purchase leaving a window that still holds enough of them): only the
// first that changes the label needs a timer. One pass over the days.
std::optional<EpochMs> quadrant_fixed_next_change(const MemberFigures& figures, EpochMs after,
                                                  const QuadrantRules& rules,
                                                  DurationMs utc_offset);

}  // namespace segmentd
