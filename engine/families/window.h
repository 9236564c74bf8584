// Rolling-window figures over a member's per-calendar-day activity (SPEC 5.5, 6): the
// purchases and net amount on an inclusive range of days, and the first and last of
// those days with a purchase. Days are counted at time.utc_offset.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "engine/member_state.h"
#include "engine/units.h"

namespace segmentd {

struct WindowFigures {
  std::int64_t purchases = 0;           // f_W (refunds are not purchases)
  Money net{};                          // m_W: purchases minus refunds on those days
  std::int32_t first_purchase_day = 0;  // meaningful when purchases > 0
  std::int32_t last_purchase_day = 0;   // meaningful when purchases > 0
};

// The figures of days from_day ... to_day (inclusive).
WindowFigures window_figures(std::span<const DayActivity> days, std::int32_t from_day,
                             std::int32_t to_day);

// window_figures(days, from_days[k], to_day) into out[k] for each k, in one pass over
// the days. REQUIRES: out.size() == from_days.size().
void window_figures_to(std::span<const DayActivity> days, std::span<const std::int32_t> from_days,
                       std::int32_t to_day, std::span<WindowFigures> out);

// The instant local day `day` starts (00:00 at utc_offset).
constexpr EpochMs day_start(std::int32_t day, DurationMs utc_offset) {
  return EpochMs{std::int64_t{day} * DurationMs::days(1).ms - utc_offset.ms};
}

// The average ticket m div f, truncated toward zero; requires f > 0.
constexpr Money average_ticket(Money net, std::int64_t purchases) {
  return Money{net.thousandths / purchases};
}

}  // namespace segmentd
