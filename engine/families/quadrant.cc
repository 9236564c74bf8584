#include "engine/families/quadrant.h"

#include <algorithm>
#include <vector>

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

std::optional<EpochMs> quadrant_fixed_next_change(const MemberFigures& figures, EpochMs after,
                                                  const QuadrantRules& rules,
                                                  DurationMs utc_offset) {
  if (figures.purchases == 0) return std::nullopt;
  const std::vector<DayActivity>& days = figures.days;
  const std::int32_t w = rules.window_days;
  const std::int32_t today = calendar_day(after, utc_offset);
  // The window of local day D holds days D - W + 1 ... D: [leave, enter) in `days`.
  const auto first_after = [&](std::int32_t day) {
    return static_cast<std::size_t>(
        std::upper_bound(days.begin(), days.end(), day,
                         [](std::int32_t v, const DayActivity& d) { return v < d.day; }) -
        days.begin());
  };
  std::size_t enter = first_after(today);
  std::size_t leave = first_after(today - w);
  const WindowFigures window = window_figures(days, today - w + 1, today);
  std::int64_t f = window.purchases;
  Money m = window.net;
  const auto label = [&] { return quadrant_label(f, m, rules.min_purchases, rules.min_amount); };
  const std::uint8_t now = label();
  for (;;) {
    // The next day at whose start a day enters or leaves: nothing changes in between.
    const bool can_enter = enter < days.size();
    const bool can_leave = leave < enter;
    if (!can_enter && !can_leave) return std::nullopt;
    std::int32_t day = can_enter ? days[enter].day : days[leave].day + w;
    if (can_leave) day = std::min(day, days[leave].day + w);
    for (; enter < days.size() && days[enter].day <= day; ++enter) {
      f += days[enter].purchases;
      m += days[enter].net;
    }
    for (; leave < enter && days[leave].day + w <= day; ++leave) {
      f -= days[leave].purchases;
      m -= days[leave].net;
    }
    if (label() != now) return day_start(day, utc_offset);
  }
}

}  // namespace segmentd
