#include "engine/member_explanation.h"

#include <catch2/catch.hpp>

#include "engine/lifecycle.h"

namespace segmentd {
namespace {

constexpr EpochMs kStart{1'700'000'000'000};

MemberState member_with(std::uint32_t purchases, DurationMs span, LifecycleLabel label) {
  MemberState m;
  m.known = true;
  m.figures.purchases = purchases;
  m.figures.first_purchase = kStart;
  m.figures.last_purchase = kStart + span;
  m.label(FamilyId::lifecycle) = static_cast<std::uint8_t>(label);
  m.seq = 7;
  return m;
}

TEST_CASE("explain: a dormant member names dormant_after and the days of silence") {
  EngineOptions options;
  const MemberState m = member_with(3, DurationMs::days(20), LifecycleLabel::dormant);
  const EpochMs now = m.figures.last_purchase + DurationMs::days(95);
  const MemberExplanation e = explain_member("alice", m, options, now);
  REQUIRE(e.families.size() == 1);  // lifecycle only by default
  CHECK(e.families[0].family == "lifecycle");
  CHECK(e.families[0].label == "dormant");
  CHECK(e.families[0].rule ==
        "d = 95d >= lifecycle.dormant_after 90d (< lifecycle.lost_after 180d)");
  CHECK(e.seq == 7);
  CHECK(e.member_id == "alice");
}

TEST_CASE("explain: active and at_risk members name the at_risk threshold") {
  EngineOptions options;
  // 5 purchases over 40 days: mean gap 10d, x2.0 = 20d, above at_risk_min_days 14d.
  MemberState m = member_with(5, DurationMs::days(40), LifecycleLabel::active);
  const EpochMs last = m.figures.last_purchase;
  CHECK(explain_member("a", m, options, last + DurationMs::days(3)).families[0].rule ==
        "n = 5, d = 3d < at_risk_after 20d (max of lifecycle.at_risk_min_days, "
        "lifecycle.at_risk_factor x mean gap)");
  m.label(FamilyId::lifecycle) = static_cast<std::uint8_t>(LifecycleLabel::at_risk);
  CHECK(explain_member("a", m, options, last + DurationMs::days(25) + DurationMs::hours(12))
            .families[0]
            .rule.starts_with("n = 5, d = 25.5d >= at_risk_after 20d"));
}

TEST_CASE("explain: the pending timer and what it brings") {
  EngineOptions options;
  MemberState m = member_with(1, DurationMs{0}, LifecycleLabel::new_member);
  m.timer = m.figures.last_purchase + options.lifecycle.dormant_after;
  const MemberExplanation e = explain_member("b", m, options, kStart + DurationMs::days(1));
  CHECK(e.families[0].rule == "n = 1, d = 1d < lifecycle.dormant_after 90d");
  REQUIRE(e.timer);
  CHECK(*e.timer == *m.timer);
  REQUIRE(e.timer_brings.size() == 1);
  CHECK(e.timer_brings[0].family == "lifecycle");
  CHECK(e.timer_brings[0].from == "new");
  CHECK(e.timer_brings[0].to == "dormant");
}

TEST_CASE("explain: every enabled family gets a rule; unknown members say so") {
  EngineOptions options;
  for (FamilyId f : kAllFamilies) options.families.add(f);
  const MemberExplanation e = explain_member("nobody", MemberState{}, options, kStart);
  CHECK_FALSE(e.known);
  REQUIRE(e.families.size() == kAllFamilies.size());
  for (const FamilyExplanation& family : e.families) {
    CHECK(family.label == "none");
    CHECK_FALSE(family.rule.empty());
  }
  CHECK(e.families[0].rule == "no purchase and no profile");
  CHECK(e.timer_brings.empty());
}

TEST_CASE("explain: durations are shown in days, tenths rounded down, or hours") {
  CHECK(format_duration(DurationMs::days(90)) == "90d");
  CHECK(format_duration(DurationMs::hours(47)) == "1.9d");
  CHECK(format_duration(DurationMs::hours(36)) == "1.5d");
  CHECK(format_duration(DurationMs::hours(6)) == "6h");
  CHECK(format_duration(DurationMs{-5}) == "0h");
}

}  // namespace
}  // namespace segmentd
