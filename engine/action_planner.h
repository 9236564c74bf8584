// Schedules a member's actions (SPEC 5.7) as pending actions in its MemberState: the
// 3-3-3 follow-ups after the first purchase, replenishment reminders per item category
// and yearly birthday reminders. The engine fires them through the member's timer.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/engine_options.h"
#include "engine/member_state.h"

namespace segmentd {

class ActionPlanner {
 public:
  explicit ActionPlanner(const EngineOptions& options) : options_(options) {}

  bool any() const { return options_.enabled_actions.any(); }

  // After `event` was applied to `member` (figures updated) and evaluated at `t_eval`.
  // `purchases_before`: n before the event; `newer_profile`: the event is a profile that
  // replaced the member's birthday.
  void plan(MemberState& member, const PurchaseEvent& event, std::uint32_t purchases_before,
            bool newer_profile, EpochMs t_eval) const;

  // The earliest pending action's due time.
  static std::optional<EpochMs> next_due(const MemberState& member);

  // Removes the first pending action if it is due at or before `at` and returns it;
  // a birthday reminder schedules the next year's.
  std::optional<PendingAction> take_due(MemberState& member, EpochMs at) const;

 private:
  void plan_birthday(MemberState& member, EpochMs after) const;
  const EngineOptions& options_;
};

// The smallest birthday reminder instant after `after` (SPEC 5.7: local 00:00 of the
// birthday minus `lead`, 02-29 on 02-28 in other years), for "MM-DD" or "YYYY-MM-DD".
std::optional<EpochMs> next_birthday_reminder(std::string_view birthday, EpochMs after,
                                              DurationMs lead, DurationMs utc_offset);

}  // namespace segmentd
