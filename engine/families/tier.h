// The tier family (SPEC 5.5, ranked): the customer pyramid by m_W over tier.window days.
// vip >= the top-vip % threshold, else major >= top-major %, else regular >= top-regular
// %, else small; none when f_W = 0. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/families/family_rules.h"
#include "engine/families/population.h"
#include "engine/families/window.h"

namespace segmentd {

struct TierThresholds {
  std::int64_t vip = 0;  // thousandths
  std::int64_t major = 0;
  std::int64_t regular = 0;
};

// From m_W of every member of Q, among `outside` slots of kOutsidePopulation (see
// RankSelector); nullopt when Q is empty. `hints` (optional) makes the selections
// cheaper, not different.
std::optional<TierThresholds> tier_thresholds(const std::vector<std::int64_t>& m_w,
                                              const TierRules& rules, std::size_t outside = 0,
                                              RankHints* hints = nullptr);

// An index of family_labels(FamilyId::tier).
std::uint8_t tier_label(const WindowFigures& w, const std::optional<TierThresholds>& t);
// The label of a member with f_W >= 1 and m_W = `m_w` (thousandths).
std::uint8_t tier_label_in_window(std::int64_t m_w, const std::optional<TierThresholds>& t);

}  // namespace segmentd
