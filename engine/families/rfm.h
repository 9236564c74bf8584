// The rfm family (SPEC 5.5): the R x F grid. R from the silence since the last purchase
// (active, silent, sleeping, lost), F from lifetime purchases (new, second, repeat,
// fan); the label is "<R>/<F>", "none" before the first purchase. Time-driven.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/families/family_rules.h"
#include "engine/member_state.h"

namespace segmentd {

// An index of family_labels(FamilyId::rfm).
std::uint8_t rfm_label(const MemberFigures& figures, EpochMs now, const RfmRules& rules);

// The next R boundary (last + silent/sleeping/lost_after) strictly after `after`.
std::optional<EpochMs> rfm_next_change(const MemberFigures& figures, EpochMs after,
                                       const RfmRules& rules);

}  // namespace segmentd
