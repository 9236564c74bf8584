#include "engine/lifecycle.h"

#include <algorithm>
#include <array>

namespace segmentd {

std::string_view label_name(LifecycleLabel label) {
  static constexpr std::array<std::string_view, kLifecycleLabelCount> names = {
      "none", "new", "active", "at_risk", "dormant", "lost", "prospect"};
  return names[static_cast<std::size_t>(label)];
}

DurationMs at_risk_after(const MemberFigures& figures, const LifecycleRules& rules) {
  // Fits in 64 bits: event times span < 110 years (3.5e12 ms) and the factor is at most
  // 1000 (1e6 thousandths), so the numerator stays below 3.5e18.
  const std::int64_t span = (figures.last_purchase - figures.first_purchase).ms;
  const std::int64_t numerator = span * std::int64_t{rules.at_risk_factor_thousandths};
  const std::int64_t denominator = std::int64_t{figures.purchases - 1} * 1000;
  const std::int64_t scaled = (numerator + denominator - 1) / denominator;
  return std::max(rules.at_risk_min_days, DurationMs{scaled});
}

namespace {

bool at_risk_applies(const MemberFigures& figures, const LifecycleRules& rules) {
  return figures.purchases >= 2 && figures.purchases >= rules.at_risk_min_purchases;
}

}  // namespace

LifecycleLabel lifecycle_label(const MemberFigures& figures, EpochMs now,
                               const LifecycleRules& rules) {
  if (figures.purchases == 0) {
    return figures.has_profile ? LifecycleLabel::prospect : LifecycleLabel::none;
  }
  const DurationMs silence = std::max(DurationMs{0}, now - figures.last_purchase);
  if (silence >= rules.lost_after) return LifecycleLabel::lost;
  if (silence >= rules.dormant_after) return LifecycleLabel::dormant;
  if (figures.purchases == 1) return LifecycleLabel::new_member;
  if (at_risk_applies(figures, rules) && silence >= at_risk_after(figures, rules)) {
    return LifecycleLabel::at_risk;
  }
  return LifecycleLabel::active;
}

std::optional<EpochMs> lifecycle_next_change(const MemberFigures& figures, EpochMs after,
                                             const LifecycleRules& rules) {
  if (figures.purchases == 0) return std::nullopt;
  std::array<EpochMs, 3> thresholds{};
  std::size_t count = 0;
  if (at_risk_applies(figures, rules)) {
    thresholds[count++] = figures.last_purchase + at_risk_after(figures, rules);
  }
  thresholds[count++] = figures.last_purchase + rules.dormant_after;
  thresholds[count++] = figures.last_purchase + rules.lost_after;
  std::sort(thresholds.begin(), thresholds.begin() + static_cast<std::ptrdiff_t>(count));
  // The label is constant between thresholds; one that an earlier rule shadows (at_risk
  // after dormant_after, say) changes nothing, so no timer waits for it.
  for (std::size_t i = 0; i < count; ++i) {
    const EpochMs at = thresholds[i];
    if (at > after && lifecycle_label(figures, at, rules) !=
                          lifecycle_label(figures, at - DurationMs{1}, rules)) {
      return at;
    }
  }
  return std::nullopt;
}

}  // namespace segmentd
