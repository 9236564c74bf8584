#include "engine/action_planner.h"

#include <algorithm>
#include <array>

#include "engine/event_time.h"
#include "engine/families/window.h"

namespace segmentd {

namespace {

constexpr std::array<DurationMs, 3> kFollowUpDelays = {DurationMs::days(3), DurationMs::days(21),
                                                       DurationMs::days(90)};

bool before(const PendingAction& a, const PendingAction& b) {
  if (a.due != b.due) return a.due < b.due;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.category < b.category;
}

void insert(std::vector<PendingAction>& pending, PendingAction action) {
  pending.insert(std::upper_bound(pending.begin(), pending.end(), action, before),
                 std::move(action));
}

void cancel(std::vector<PendingAction>& pending, ActionKind kind, std::string_view category) {
  std::erase_if(pending, [&](const PendingAction& a) {
    return a.kind == kind && (kind != ActionKind::replenish || a.category == category);
  });
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned two_digits(std::string_view s) {
  return static_cast<unsigned>((s[0] - '0') * 10 + (s[1] - '0'));
}

}  // namespace

std::optional<EpochMs> next_birthday_reminder(std::string_view birthday, EpochMs after,
                                              DurationMs lead, DurationMs utc_offset) {
  if (birthday.size() != 5 && birthday.size() != 10) return std::nullopt;
  const std::string_view md = birthday.substr(birthday.size() - 5);
  const unsigned month = two_digits(md);
  const unsigned day = two_digits(md.substr(3));
  // The local year of `after + lead`; the reminder of that year or the next is the one.
  const std::int32_t local_day = calendar_day(after + lead, utc_offset);
  const std::int64_t year = 1970 + local_day / 366 - 1;  // a year at or before that day
  for (std::int64_t y = year; y < year + 4; ++y) {
    const unsigned d = (month == 2 && day == 29 && !is_leap(y)) ? 28 : day;
    const auto civil = static_cast<std::int32_t>(days_from_civil(y, month, d));
    const EpochMs reminder = day_start(civil, utc_offset) - lead;
    if (reminder > after) return reminder;
  }
  return std::nullopt;
}

void ActionPlanner::plan(MemberState& member, const PurchaseEvent& event,
                         std::uint32_t purchases_before, bool newer_profile, EpochMs t_eval) const {
  const ActionSelection enabled = options_.enabled_actions;
  if (event.type == EventType::profile) {
    if (newer_profile && enabled.has(ActionKind::birthday)) plan_birthday(member, t_eval);
    return;
  }
  if (event.type != EventType::purchase) return;
  if (enabled.has(ActionKind::follow_up) && purchases_before == 0) {
    for (std::size_t i = 0; i < kFollowUpDelays.size(); ++i) {
      const EpochMs due = event.ts + kFollowUpDelays[i];
      if (due > t_eval) {
        insert(member.pending_actions,
               PendingAction{due, ActionKind::follow_up, static_cast<std::uint8_t>(i + 1), {}, {}});
      }
    }
  }
  if (!enabled.has(ActionKind::replenish)) return;
  for (const std::string_view category : event.categories) {
    auto it = std::lower_bound(
        member.categories.begin(), member.categories.end(), category,
        [](const CategoryFigures& c, std::string_view v) { return c.category < v; });
    if (it == member.categories.end() || it->category != category) {
      it = member.categories.insert(it,
                                    CategoryFigures{std::string(category), 0, event.ts, event.ts});
    }
    ++it->purchases;
    it->first = std::min(it->first, event.ts);
    it->last = std::max(it->last, event.ts);
    cancel(member.pending_actions, ActionKind::replenish, category);
    std::optional<DurationMs> cycle;
    if (it->purchases >= 2) {
      cycle = DurationMs{(it->last - it->first).ms / (it->purchases - 1)};
    } else {
      const auto& cycles = options_.actions.replenish_cycles;
      const auto configured = std::find_if(cycles.begin(), cycles.end(),
                                           [&](const auto& c) { return c.first == category; });
      if (configured != cycles.end()) cycle = configured->second;
    }
    if (!cycle) continue;
    const EpochMs expected = it->last + *cycle;
    const EpochMs due = expected - options_.actions.replenish_lead;
    if (due > t_eval) {
      insert(member.pending_actions,
             PendingAction{due, ActionKind::replenish, 0, std::string(category), expected});
    }
  }
}

void ActionPlanner::plan_birthday(MemberState& member, EpochMs after) const {
  cancel(member.pending_actions, ActionKind::birthday, {});
  if (member.birthday.empty()) return;
  const auto due = next_birthday_reminder(member.birthday, after, options_.actions.birthday_lead,
                                          options_.utc_offset);
  if (due) insert(member.pending_actions, PendingAction{*due, ActionKind::birthday, 0, {}, {}});
}

std::optional<EpochMs> ActionPlanner::next_due(const MemberState& member) {
  if (member.pending_actions.empty()) return std::nullopt;
  return member.pending_actions.front().due;
}

std::optional<PendingAction> ActionPlanner::take_due(MemberState& member, EpochMs at) const {
  if (member.pending_actions.empty() || member.pending_actions.front().due > at) {
    return std::nullopt;
  }
  PendingAction action = std::move(member.pending_actions.front());
  member.pending_actions.erase(member.pending_actions.begin());
  if (action.kind == ActionKind::birthday) plan_birthday(member, action.due);
  return action;
}

}  // namespace segmentd
