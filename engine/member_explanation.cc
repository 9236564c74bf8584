#include "engine/member_explanation.h"

#include <algorithm>

#include "engine/family_set.h"
#include "engine/lifecycle.h"

namespace segmentd {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kHourMs = 3'600'000;

std::string lifecycle_rule(const MemberFigures& f, EpochMs now, const LifecycleRules& rules) {
  if (f.purchases == 0) {
    return f.has_profile ? "a profile and no purchase" : "no purchase and no profile";
  }
  const DurationMs silence = std::max(DurationMs{0}, now - f.last_purchase);
  const std::string d = "d = " + format_duration(silence);
  if (silence >= rules.lost_after) {
    return d + " >= lifecycle.lost_after " + format_duration(rules.lost_after);
  }
  if (silence >= rules.dormant_after) {
    return d + " >= lifecycle.dormant_after " + format_duration(rules.dormant_after) +
           " (< lifecycle.lost_after " + format_duration(rules.lost_after) + ")";
  }
  const std::string n = "n = " + std::to_string(f.purchases);
  if (f.purchases == 1) {
    return n + ", " + d + " < lifecycle.dormant_after " + format_duration(rules.dormant_after);
  }
  if (f.purchases < rules.at_risk_min_purchases) {
    return n + " < lifecycle.at_risk_min_purchases " + std::to_string(rules.at_risk_min_purchases) +
           ", " + d + " < lifecycle.dormant_after " + format_duration(rules.dormant_after);
  }
  const std::string at_risk =
      "at_risk_after " + format_duration(at_risk_after(f, rules)) +
      " (max of lifecycle.at_risk_min_days, lifecycle.at_risk_factor x mean gap)";
  if (silence >= at_risk_after(f, rules)) return n + ", " + d + " >= " + at_risk;
  return n + ", " + d + " < " + at_risk;
}

std::string rule_of(FamilyId family, const FamilySet& set, const MemberFigures& f, EpochMs now,
                    const EngineOptions& options) {
  switch (family) {
    case FamilyId::lifecycle:
      return lifecycle_rule(f, now, options.lifecycle);
    case FamilyId::rfm:
      return "recency against rfm.silent_after " + format_duration(options.rfm.silent_after) +
             ", rfm.sleeping_after " + format_duration(options.rfm.sleeping_after) +
             ", rfm.lost_after " + format_duration(options.rfm.lost_after) +
             "; frequency n = " + std::to_string(f.purchases) + " against rfm.fan_min_purchases " +
             std::to_string(options.rfm.fan_min_purchases);
    case FamilyId::quadrant:
      if (set.ranked(family)) {
        return "ranked in the daily sweep: purchases and amount in the last " +
               std::to_string(options.quadrant.window_days) +
               " days against the medians of all members (quadrant.thresholds = median)";
      }
      return "purchases and amount in the last " + std::to_string(options.quadrant.window_days) +
             " days against quadrant.min_purchases " +
             std::to_string(options.quadrant.min_purchases) + " and quadrant.min_amount";
    case FamilyId::tier:
      return "ranked in the daily sweep: share of the net amount of the last " +
             std::to_string(options.tier.window_days) +
             " days against tier.vip, tier.major, tier.regular (top percentages)";
    case FamilyId::value:
      return "ranked in the daily sweep: net amount of the last " +
             std::to_string(options.value.window_days) +
             " days against the other members; value.sleeping_after " +
             format_duration(options.value.sleeping_after);
  }
  return "";
}

}  // namespace

std::string format_duration(DurationMs duration) {
  const std::int64_t ms = std::max<std::int64_t>(0, duration.ms);
  if (ms < kDayMs && ms % kHourMs == 0) return std::to_string(ms / kHourMs) + "h";
  const std::int64_t tenths = ms * 10 / kDayMs;
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text + "d";
}

MemberExplanation explain_member(std::string_view member_id, const MemberState& member,
                                 const EngineOptions& options, EpochMs now) {
  MemberExplanation e;
  e.member_id = std::string(member_id);
  e.known = member.known;
  e.figures = member.figures;
  e.seq = member.seq;
  e.now = now;
  e.timer = member.timer;
  e.pending_actions = member.pending_actions;
  const FamilySet set(options);
  for (FamilyId family : kAllFamilies) {
    if (!set.enabled(family)) continue;
    const auto labels = family_labels(family);
    const std::string name(family_name(family));
    e.families.push_back({name, std::string(labels[member.label(family)]),
                          rule_of(family, set, member.figures, now, options)});
    if (member.timer && set.time_driven(family)) {
      const std::uint8_t then = set.label_at(family, member.figures, *member.timer);
      if (then != member.label(family)) {
        e.timer_brings.push_back(
            {name, std::string(labels[member.label(family)]), std::string(labels[then])});
      }
    }
  }
  return e;
}

}  // namespace segmentd
