#include "engine/families/quadrant.h"

#include "engine/event_time.h"
#include "engine/families/window.h"

namespace segmentd {

std::uint8_t quadrant_label(std::int64_t f_w, Money m_w, std::int64_t f_star, Money m_star) {
  if (f_w == 0) return 0;
  const bool high_f = f_w >= f_star;
  const bool high_m = m_w >= m_star;
  if (high_f) return high_m ? 1 : 3;  // confidant : barnacle
  return high_m ? 2 : 4;              // butterfly : passer_by
}

std::uint8_t quadrant_fixed_label(const MemberFigures& figures, EpochMs now,
                                  const QuadrantRules& rules, DurationMs utc_offset) {
  if (figures.purchases == 0) return 0;
  const std::int32_t today = calendar_day(now, utc_offset);
  const WindowFigures w = window_figures(figures.days, today - rules.window_days + 1, today);
  return quadrant_label(w.purchases, w.net, rules.min_purchases, rules.min_amount);
}

}  // namespace segmentd
