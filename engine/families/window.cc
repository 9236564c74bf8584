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

std::optional<EpochMs> window_next_change(std::span<const DayActivity> days,
                                          std::int32_t window_days, EpochMs after,
                                          DurationMs utc_offset) {
  std::optional<EpochMs> next;
  for (const DayActivity& d : days) {
    for (const EpochMs boundary :
         {day_start(d.day, utc_offset), day_start(d.day + window_days, utc_offset)}) {
      if (boundary > after && (!next || boundary < *next)) next = boundary;
    }
  }
  return next;
}

}  // namespace segmentd
