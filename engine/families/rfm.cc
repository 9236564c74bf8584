#include "engine/families/rfm.h"

#include <algorithm>

namespace segmentd {

std::uint8_t rfm_label(const MemberFigures& figures, EpochMs now, const RfmRules& rules) {
  if (figures.purchases == 0) return 0;
  const DurationMs silence = std::max(DurationMs{0}, now - figures.last_purchase);
  unsigned r = 3;  // lost
  if (silence < rules.silent_after) {
    r = 0;
  } else if (silence < rules.sleeping_after) {
    r = 1;
  } else if (silence < rules.lost_after) {
    r = 2;
  }
  unsigned f = 3;  // fan
  if (figures.purchases == 1) {
    f = 0;
  } else if (figures.purchases == 2) {
    f = 1;
  } else if (figures.purchases < rules.fan_min_purchases) {
    f = 2;
  }
  return static_cast<std::uint8_t>(1 + r * 4 + f);
}

std::optional<EpochMs> rfm_next_change(const MemberFigures& figures, EpochMs after,
                                       const RfmRules& rules) {
  if (figures.purchases == 0) return std::nullopt;
  for (const DurationMs bound : {rules.silent_after, rules.sleeping_after, rules.lost_after}) {
    if (figures.last_purchase + bound > after) return figures.last_purchase + bound;
  }
  return std::nullopt;
}

}  // namespace segmentd
