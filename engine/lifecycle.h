// The lifecycle segment family (SPEC 5.4): none, prospect, new, active, at_risk, dormant,
// lost.
//
// Pure functions of a member's figures and an instant; no clock is read here. The
// engine calls lifecycle_label() to classify and lifecycle_next_change() to know when
// to look again (the member's timer). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/member_state.h"
#include "engine/units.h"

namespace segmentd {

// `prospect` is last so that labels stored before it existed keep their numbers.
enum class LifecycleLabel : std::uint8_t {
  none,
  new_member,
  active,
  at_risk,
  dormant,
  lost,
  prospect
};
inline constexpr std::size_t kLifecycleLabelCount = 7;

// The label as written in transitions and metrics: "none", "new", "active", ...
std::string_view label_name(LifecycleLabel label);

// The `lifecycle.*` configuration (SPEC 9). at_risk_factor is in thousandths (2.0 ->
// 2000) so that the at_risk instant is exact integer arithmetic on every platform.
struct LifecycleRules {
  DurationMs dormant_after = DurationMs::days(90);
  DurationMs lost_after = DurationMs::days(180);
  DurationMs at_risk_min_days = DurationMs::days(14);
  std::uint32_t at_risk_min_purchases = 3;
  std::uint32_t at_risk_factor_thousandths = 2000;
};

// max(at_risk_min_days, ceil(factor * (last - first) / (n - 1))); requires n >= 2.
DurationMs at_risk_after(const MemberFigures& figures, const LifecycleRules& rules);

// The member's lifecycle label at instant `now` (prospect: a profile and no purchase).
LifecycleLabel lifecycle_label(const MemberFigures& figures, EpochMs now,
                               const LifecycleRules& rules);

// The earliest of last + at_risk_after (when it applies), last + dormant_after and
// last + lost_after that lies strictly after `after` and at which lifecycle_label()
// differs from its value 1 ms before (a threshold an earlier rule shadows, such as
// at_risk_after beyond dormant_after, is skipped); nullopt when none does.
std::optional<EpochMs> lifecycle_next_change(const MemberFigures& figures, EpochMs after,
                                             const LifecycleRules& rules);

}  // namespace segmentd
