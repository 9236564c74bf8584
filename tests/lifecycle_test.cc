#include "engine/lifecycle.h"

#include <catch2/catch.hpp>

namespace segmentd {
namespace {

constexpr std::int64_t kDay = 86'400'000;

MemberFigures figures(std::uint32_t n, std::int64_t first, std::int64_t last) {
  MemberFigures f;
  f.purchases = n;
  f.first_purchase = EpochMs{first};
  f.last_purchase = EpochMs{last};
  return f;
}

TEST_CASE("lifecycle labels follow SPEC 5.4 at every threshold", "[lifecycle]") {
  const LifecycleRules rules;
  const std::int64_t t0 = 1'700'000'000'000;
  struct Row {
    std::uint32_t n;
    std::int64_t span_days;   // last - first
    std::int64_t silence_ms;  // now - last
    LifecycleLabel expected;
  };
  const Row rows[] = {
      {0, 0, 0, LifecycleLabel::none},
      {1, 0, 0, LifecycleLabel::new_member},
      {1, 0, 90 * kDay - 1, LifecycleLabel::new_member},
      {1, 0, 90 * kDay, LifecycleLabel::dormant},
      {1, 0, 180 * kDay - 1, LifecycleLabel::dormant},
      {1, 0, 180 * kDay, LifecycleLabel::lost},
      {2, 10, 89 * kDay, LifecycleLabel::active},  // n < 3: never at_risk
      {3, 20, 14 * kDay - 1, LifecycleLabel::active},
      {3, 20, 20 * kDay, LifecycleLabel::at_risk},  // 2.0 * 20d / 2 = 20d
      {3, 20, 20 * kDay - 1, LifecycleLabel::active},
      {3, 2, 14 * kDay, LifecycleLabel::at_risk},  // the 14-day floor applies
      {3, 20, 90 * kDay, LifecycleLabel::dormant},
      {5, 400, 89 * kDay, LifecycleLabel::active},  // at_risk_after 200d > dormant
      {5, 400, 90 * kDay, LifecycleLabel::dormant},
      {3, 20, -5 * kDay, LifecycleLabel::active},  // now before last: silence is 0
  };
  for (const Row& row : rows) {
    INFO("n=" << row.n << " span_days=" << row.span_days << " silence_ms=" << row.silence_ms);
    const auto f = figures(row.n, t0, t0 + row.span_days * kDay);
    CHECK(lifecycle_label(f, f.last_purchase + DurationMs{row.silence_ms}, rules) == row.expected);
  }
}

TEST_CASE("at_risk_after rounds up in whole milliseconds with exact integers", "[lifecycle]") {
  LifecycleRules rules;
  rules.at_risk_min_days = DurationMs{0};
  // 2.0 * 8'640'000'001 / 3 = 5'760'000'000.67 -> 5'760'000'001 (conformance at_risk_rounding)
  CHECK(at_risk_after(figures(4, 0, 8'640'000'001), rules).ms == 5'760'000'001);
  rules.at_risk_factor_thousandths = 1500;
  CHECK(at_risk_after(figures(2, 0, 1), rules).ms == 2);  // 1.5 -> 2
  CHECK(at_risk_after(figures(2, 0, 2), rules).ms == 3);  // exactly 3
  rules.at_risk_factor_thousandths = 1;
  CHECK(at_risk_after(figures(2, 0, 1), rules).ms == 1);  // 0.001 -> 1
}

TEST_CASE("no overflow for a century-long span and a large factor", "[lifecycle]") {
  LifecycleRules rules;
  rules.at_risk_factor_thousandths = 1'000'000;  // factor 1000
  const std::int64_t century = 36'500 * kDay;
  CHECK(at_risk_after(figures(2, 0, century), rules).ms == century * 1000);
}

TEST_CASE("next change is the earliest threshold strictly after the instant", "[lifecycle]") {
  const LifecycleRules rules;
  const auto f = figures(3, 0, 20 * kDay);  // at_risk_after = 20d
  const EpochMs last = f.last_purchase;
  CHECK(lifecycle_next_change(f, last, rules) == last + DurationMs::days(20));
  CHECK(lifecycle_next_change(f, last + DurationMs::days(20), rules) ==
        last + DurationMs::days(90));
  CHECK(lifecycle_next_change(f, last + DurationMs::days(90), rules) ==
        last + DurationMs::days(180));
  CHECK(lifecycle_next_change(f, last + DurationMs::days(180), rules) == std::nullopt);
  CHECK(lifecycle_next_change(figures(0, 0, 0), last, rules) == std::nullopt);
  const auto single = figures(1, 0, 0);  // no at_risk for one purchase
  CHECK(lifecycle_next_change(single, EpochMs{0}, rules) == EpochMs{0} + DurationMs::days(90));
}

TEST_CASE("next change skips a threshold that changes no label", "[lifecycle]") {
  const LifecycleRules rules;
  // Mean gap 50 days: at_risk_after = 100 days, after dormant_after (90 days).
  const auto slow = figures(3, 0, 100 * kDay);
  const EpochMs last = slow.last_purchase;
  REQUIRE(at_risk_after(slow, rules) == DurationMs::days(100));
  CHECK(lifecycle_next_change(slow, last, rules) == last + DurationMs::days(90));
  CHECK(lifecycle_next_change(slow, last + DurationMs::days(90), rules) ==
        last + DurationMs::days(180));  // not day 100: still dormant there
  CHECK(lifecycle_label(slow, last + DurationMs::days(100), rules) == LifecycleLabel::dormant);

  // dormant_after beyond lost_after: lost comes first and dormant never.
  LifecycleRules odd;
  odd.dormant_after = DurationMs::days(200);
  const auto single = figures(1, 0, 0);
  CHECK(lifecycle_next_change(single, EpochMs{0}, odd) == EpochMs{0} + DurationMs::days(180));
  CHECK(lifecycle_next_change(single, EpochMs{0} + DurationMs::days(180), odd) == std::nullopt);

  // Every threshold it returns changes the label, and none it skips does.
  for (std::int64_t gap_days = 1; gap_days <= 120; ++gap_days) {
    const auto f = figures(4, 0, 3 * gap_days * kDay);
    EpochMs t = f.last_purchase;
    while (const auto next = lifecycle_next_change(f, t, rules)) {
      INFO("mean gap " << gap_days << " days, next change " << next->ms);
      CHECK(lifecycle_label(f, *next, rules) != lifecycle_label(f, *next - DurationMs{1}, rules));
      for (EpochMs day = t + DurationMs::days(1); day < *next; day = day + DurationMs::days(1)) {
        CHECK(lifecycle_label(f, day, rules) == lifecycle_label(f, t, rules));
      }
      t = *next;
    }
    CHECK(lifecycle_label(f, t, rules) == LifecycleLabel::lost);
  }
}

TEST_CASE("label names are the wire names", "[lifecycle]") {
  CHECK(label_name(LifecycleLabel::none) == "none");
  CHECK(label_name(LifecycleLabel::new_member) == "new");
  CHECK(label_name(LifecycleLabel::at_risk) == "at_risk");
  CHECK(label_name(LifecycleLabel::lost) == "lost");
}

}  // namespace
}  // namespace segmentd
