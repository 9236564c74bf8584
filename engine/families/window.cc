#include "engine/families/window.h"

#include <algorithm>

namespace segmentd {

WindowFigures window_figures(std::span<const DayActivity> days, std::int32_t from_day,
                             std::int32_t to_day) {
  WindowFigures w;
  auto it = std::lower_bound(days.begin(), days.end(), from_day,
                             [](const DayActivity& d, std::int32_t v) { return d.day < v; });
  for (; it != days.end() && it->day <= to_day; ++it) {
    w.net += it->net;
    if (it->purchases == 0) continue;
    if (w.purchases == 0) w.first_purchase_day = it->day;
    w.last_purchase_day = it->day;
    w.purchases += it->purchases;
  }
  return w;
}

void window_figures_to(std::span<const DayActivity> days, std::span<const std::int32_t> from_days,
                       std::int32_t to_day, std::span<WindowFigures> out) {
  std::fill(out.begin(), out.end(), WindowFigures{});
  if (from_days.empty()) return;
  const std::int32_t earliest = *std::min_element(from_days.begin(), from_days.end());
  auto it = std::lower_bound(days.begin(), days.end(), earliest,
                             [](const DayActivity& d, std::int32_t v) { return d.day < v; });
  for (; it != days.end() && it->day <= to_day; ++it) {
    for (std::size_t k = 0; k < from_days.size(); ++k) {
      if (it->day < from_days[k]) continue;
      WindowFigures& w = out[k];
      w.net += it->net;
      if (it->purchases == 0) continue;
      if (w.purchases == 0) w.first_purchase_day = it->day;
      w.last_purchase_day = it->day;
      w.purchases += it->purchases;
    }
  }
}

}  // namespace segmentd
