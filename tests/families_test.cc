// Table tests of each segment family's rules (SPEC 5.5, 5.6) and of the action instants
// (SPEC 5.7): (figures, time, thresholds) -> label and next change, at each boundary to
// the millisecond.
#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>

#include "engine/action_planner.h"
#include "engine/event_time.h"
#include "engine/families/population.h"
#include "engine/families/quadrant.h"
#include "engine/families/rfm.h"
#include "engine/families/tier.h"
#include "engine/families/value.h"
#include "engine/families/window.h"
#include "engine/lifecycle.h"

namespace segmentd {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kT0 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z, day 19723

std::string_view label_of(FamilyId family, std::uint8_t label) {
  return family_labels(family)[label];
}

MemberFigures bought(std::uint32_t n, std::int64_t first, std::int64_t last) {
  MemberFigures f;
  f.purchases = n;
  f.first_purchase = EpochMs{first};
  f.last_purchase = EpochMs{last};
  return f;
}

TEST_CASE("rfm: R boundaries to the millisecond, F by lifetime purchases", "[families]") {
  const RfmRules rules;
  struct Row {
    std::uint32_t n;
    std::int64_t silence_ms;
    std::string_view expected;
  };
  const Row rows[] = {
      {0, 0, "none"},
      {1, 0, "active/new"},
      {1, 30 * kDay - 1, "active/new"},
      {1, 30 * kDay, "silent/new"},
      {2, 90 * kDay - 1, "silent/second"},
      {2, 90 * kDay, "sleeping/second"},
      {3, 180 * kDay - 1, "sleeping/repeat"},
      {4, 180 * kDay, "lost/repeat"},
      {5, 0, "active/fan"},
      {9, -5 * kDay, "active/fan"},  // now before last: silence 0
  };
  for (const Row& row : rows) {
    const MemberFigures f = bought(row.n, kT0 - kDay, kT0);
    CHECK(label_of(FamilyId::rfm, rfm_label(f, EpochMs{kT0 + row.silence_ms}, rules)) ==
          row.expected);
  }
  const MemberFigures f = bought(2, kT0, kT0);
  CHECK(rfm_next_change(f, EpochMs{kT0}, rules) == EpochMs{kT0 + 30 * kDay});
  CHECK(rfm_next_change(f, EpochMs{kT0 + 30 * kDay}, rules) == EpochMs{kT0 + 90 * kDay});
  CHECK(rfm_next_change(f, EpochMs{kT0 + 179 * kDay}, rules) == EpochMs{kT0 + 180 * kDay});
  CHECK_FALSE(rfm_next_change(f, EpochMs{kT0 + 180 * kDay}, rules));
  CHECK_FALSE(rfm_next_change(MemberFigures{}, EpochMs{kT0}, rules));
}

TEST_CASE("rfm: fan_min_purchases moves the repeat/fan bound", "[families]") {
  RfmRules rules;
  rules.fan_min_purchases = 3;
  CHECK(label_of(FamilyId::rfm, rfm_label(bought(3, kT0, kT0), EpochMs{kT0}, rules)) ==
        "active/fan");
  rules.fan_min_purchases = 10;
  CHECK(label_of(FamilyId::rfm, rfm_label(bought(9, kT0, kT0), EpochMs{kT0}, rules)) ==
        "active/repeat");
}

MemberFigures with_days(std::vector<DayActivity> days) {
  MemberFigures f;
  for (const DayActivity& d : days) f.purchases += d.purchases;
  f.first_purchase = day_start(days.front().day, DurationMs{0});
  f.last_purchase = day_start(days.back().day, DurationMs{0});
  f.days = std::move(days);
  return f;
}

TEST_CASE("quadrant (fixed): window days enter and leave at local 00:00", "[families]") {
  QuadrantRules rules;
  rules.window_days = 3;
  rules.min_purchases = 2;
  rules.min_amount = Money{100'000};
  const std::int32_t d0 = 19723;  // 2024-01-01
  const MemberFigures f = with_days({{d0, 1, Money{60'000}}, {d0 + 1, 1, Money{50'000}}});
  struct Row {
    std::int64_t at_ms;
    std::string_view expected;
  };
  const Row rows[] = {
      {kT0, "passer_by"},                 // day d0 only: f 1, m 60
      {kT0 + kDay - 1, "passer_by"},      // still d0
      {kT0 + kDay, "confidant"},          // d0 + d0+1: f 2, m 110
      {kT0 + 3 * kDay - 1, "confidant"},  // window d0 .. d0+2
      {kT0 + 3 * kDay, "passer_by"},      // d0 left at 00:00 of d0 + 3
      {kT0 + 4 * kDay - 1, "passer_by"},
      {kT0 + 4 * kDay, "none"},  // f_W = 0
  };
  for (const Row& row : rows) {
    CHECK(label_of(FamilyId::quadrant, quadrant_fixed_label(f, EpochMs{row.at_ms}, rules,
                                                            DurationMs{0})) == row.expected);
  }
  const auto next = [&](const MemberFigures& figures, std::int64_t after_ms, DurationMs offset) {
    return quadrant_fixed_next_change(figures, EpochMs{after_ms}, rules, offset);
  };
  CHECK(next(f, kT0, DurationMs{0}) == EpochMs{kT0 + kDay});
  CHECK(next(f, kT0 + kDay - 1, DurationMs{0}) == EpochMs{kT0 + kDay});
  CHECK(next(f, kT0 + kDay, DurationMs{0}) == EpochMs{kT0 + 3 * kDay});
  CHECK(next(f, kT0 + 3 * kDay, DurationMs{0}) == EpochMs{kT0 + 4 * kDay});
  CHECK_FALSE(next(f, kT0 + 4 * kDay, DurationMs{0}));
  // At +08:00 a local day starts at 16:00Z of the UTC day before.
  const DurationMs plus8 = DurationMs::hours(8);
  CHECK(next(f, kT0, plus8) == EpochMs{kT0 + kDay - 8 * 3'600'000});
  // A day leaving that leaves the label as it was needs no timer: d0 leaving at d0 + 3
  // keeps f 2 and m 100 (confidant); d0 + 1 leaving at d0 + 4 makes it passer_by.
  const MemberFigures three =
      with_days({{d0, 1, Money{60'000}}, {d0 + 1, 1, Money{50'000}}, {d0 + 2, 1, Money{50'000}}});
  CHECK(next(three, kT0 + 2 * kDay, DurationMs{0}) == EpochMs{kT0 + 4 * kDay});
  // A refund-only day leaving raises m_W: barnacle (f 2, m 90) until the refund of d0
  // leaves at d0 + 3 (m 110: confidant).
  const MemberFigures refunded =
      with_days({{d0, 0, Money{-20'000}}, {d0 + 1, 1, Money{60'000}}, {d0 + 2, 1, Money{50'000}}});
  CHECK(label_of(FamilyId::quadrant, quadrant_fixed_label(refunded, EpochMs{kT0 + 2 * kDay}, rules,
                                                          DurationMs{0})) == "barnacle");
  CHECK(next(refunded, kT0 + 2 * kDay, DurationMs{0}) == EpochMs{kT0 + 3 * kDay});
}

// quadrant_fixed_next_change() against the label itself: at every local 00:00 from the
// day after `after` to past the last window, the first where the label differs.
TEST_CASE("quadrant (fixed): the next change is the first 00:00 that changes the label",
          "[families]") {
  std::uint64_t seed = 42;
  const auto random = [&seed](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  const std::int32_t d0 = 19723;
  for (int trial = 0; trial < 300; ++trial) {
    QuadrantRules rules;
    rules.window_days = 1 + static_cast<std::int32_t>(random(20));
    rules.min_purchases = 1 + static_cast<std::uint32_t>(random(4));
    rules.min_amount = Money{static_cast<std::int64_t>(random(200)) * 1'000};
    std::vector<DayActivity> days;
    for (std::int32_t day = d0; day < d0 + 40; ++day) {
      if (random(3) != 0) continue;
      const auto purchases = static_cast<std::uint32_t>(random(3));
      const auto net =
          static_cast<std::int64_t>(random(120)) * 1'000 - (purchases == 0 ? 130'000 : 0);
      days.push_back({day, purchases, Money{net}});
    }
    if (days.empty() || std::all_of(days.begin(), days.end(),
                                    [](const DayActivity& d) { return d.purchases == 0; })) {
      continue;
    }
    const MemberFigures f = with_days(days);
    const DurationMs offset = DurationMs::hours(static_cast<std::int64_t>(random(25)) - 12);
    const EpochMs after{day_start(d0 + static_cast<std::int32_t>(random(45)), offset).ms +
                        static_cast<std::int64_t>(random(static_cast<std::uint64_t>(kDay)))};
    const std::uint8_t now = quadrant_fixed_label(f, after, rules, offset);
    std::optional<EpochMs> expected;
    for (std::int32_t day = calendar_day(after, offset) + 1; day <= d0 + 70 && !expected; ++day) {
      if (quadrant_fixed_label(f, day_start(day, offset), rules, offset) != now) {
        expected = day_start(day, offset);
      }
    }
    INFO("trial " << trial);
    CHECK(quadrant_fixed_next_change(f, after, rules, offset) == expected);
  }
}

TEST_CASE("quadrant labels: both thresholds inclusive", "[families]") {
  const Money m_star{1'000'000};
  CHECK(label_of(FamilyId::quadrant, quadrant_label(4, Money{1'000'000}, 4, m_star)) ==
        "confidant");
  CHECK(label_of(FamilyId::quadrant, quadrant_label(3, Money{1'000'000}, 4, m_star)) ==
        "butterfly");
  CHECK(label_of(FamilyId::quadrant, quadrant_label(4, Money{999'999}, 4, m_star)) == "barnacle");
  CHECK(label_of(FamilyId::quadrant, quadrant_label(1, Money{-5}, 4, m_star)) == "passer_by");
  CHECK(label_of(FamilyId::quadrant, quadrant_label(0, Money{5'000'000}, 4, m_star)) == "none");
}

// The deterministic pseudo-random numbers of the randomised tests below.
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t operator()() {
    seed_ = seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed_ >> 33;
  }

 private:
  std::uint64_t seed_;
};

TEST_CASE("rank positions are exact ceilings", "[families]") {
  CHECK(percent_position(1'000, 31) == 1);     // ceil(0.31)
  CHECK(percent_position(5'000, 31) == 2);     // ceil(1.55)
  CHECK(percent_position(20'000, 31) == 7);    // ceil(6.2)
  CHECK(percent_position(20'000, 100) == 20);  // exact
  CHECK(percent_position(15'000, 7) == 2);     // ceil(1.05)
  CHECK(percent_position(100'000, 7) == 7);
  CHECK(percent_position(1, 1) == 1);  // 0.001 % of one member
  CHECK(median_position(6) == 3);
  CHECK(median_position(7) == 4);
  CHECK(median_position(1) == 1);
  const std::vector<std::int64_t> v = {5, 1, 4, 4, 2};
  RankSelector selector(v);
  CHECK(selector.descending(1) == 5);
  CHECK(selector.descending(2) == 4);
  CHECK(selector.descending(3) == 4);
  CHECK(selector.ascending(2) == 2);
  // Slots of members outside the population sort first and are not counted.
  const std::vector<std::int64_t> with_outside = {5, kOutsidePopulation, 1, kOutsidePopulation};
  RankSelector among(with_outside, 2);
  CHECK(among.size() == 2);
  CHECK(among.ascending(1) == 1);
  CHECK(among.descending(1) == 5);
}

TEST_CASE("successive rank selections on one array equal selections on a sorted copy",
          "[families]") {
  Lcg next(12345);
  for (int round = 0; round < 200; ++round) {
    const std::size_t size = 1 + next() % 60;
    std::vector<std::int64_t> values(size);
    for (auto& v : values) v = static_cast<std::int64_t>(next() % 12);  // many ties
    std::vector<std::int64_t> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    RankSelector selector(values);
    for (int pick = 0; pick < 5; ++pick) {
      const std::size_t position = 1 + next() % size;
      if (next() % 2 == 0) {
        CHECK(selector.ascending(position) == sorted[position - 1]);
      } else {
        CHECK(selector.descending(position) == sorted[size - position]);
      }
    }
  }
}

TEST_CASE("rank selections with hints from the day before equal selections on a sorted copy",
          "[families]") {
  Lcg next(777);
  std::vector<std::int64_t> population(500);
  for (auto& v : population) v = static_cast<std::int64_t>(next() % 100'000);
  RankHints hints;
  for (int day = 0; day < 300; ++day) {
    // Most days a few members move a little; some days the population jumps (the hint
    // misses), or grows, or shrinks, or holds extreme values (the band clamps).
    const std::uint64_t kind = next() % 10;
    for (int k = 0; k < 20; ++k) {
      auto& v = population[next() % population.size()];
      v += static_cast<std::int64_t>(next() % 2001) - 1000;
    }
    if (kind == 0) {
      for (auto& v : population) v = v / 2 + 80'000;
    } else if (kind == 1) {
      population.push_back(static_cast<std::int64_t>(next() % 100'000));
    } else if (kind == 2 && population.size() > 1) {
      population.pop_back();
    }
    std::vector<std::int64_t> values = population;
    if (kind == 3) {
      values[next() % values.size()] = std::numeric_limits<std::int64_t>::max();
      values[next() % values.size()] = kOutsidePopulation + 1;
    }
    std::vector<std::int64_t> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t q = values.size();
    // Members outside the population, among the others.
    const std::size_t outside = next() % 5;
    for (std::size_t k = 0; k < outside; ++k) {
      values.insert(values.begin() + static_cast<std::ptrdiff_t>(next() % values.size()),
                    kOutsidePopulation);
    }
    RankSelector selector(values, outside, &hints);
    CHECK(selector.size() == q);
    CHECK(selector.descending(percent_position(20'000, q)) ==
          sorted[q - percent_position(20'000, q)]);
    CHECK(selector.descending(percent_position(5'000, q)) ==
          sorted[q - percent_position(5'000, q)]);
    CHECK(selector.ascending(median_position(q)) == sorted[median_position(q) - 1]);
  }
  CHECK(hints.hints.size() == 3);
}

TEST_CASE("windows filled in one pass equal each window computed alone", "[families]") {
  std::vector<DayActivity> days;
  for (std::int32_t d = 100; d < 200; d += 3) {
    days.push_back(DayActivity{d, static_cast<std::uint32_t>(d % 4), Money{d * 7 - 900}});
  }
  const std::array<std::int32_t, 4> from = {150, 90, 199, 120};
  for (std::int32_t to = 95; to < 210; to += 7) {
    std::array<WindowFigures, 4> together;
    window_figures_to(days, from, to, together);
    for (std::size_t k = 0; k < from.size(); ++k) {
      const WindowFigures alone = window_figures(days, from[k], to);
      CHECK(together[k].purchases == alone.purchases);
      CHECK(together[k].net == alone.net);
      if (alone.purchases == 0) continue;
      CHECK(together[k].first_purchase_day == alone.first_purchase_day);
      CHECK(together[k].last_purchase_day == alone.last_purchase_day);
    }
  }
}

WindowFigures window(std::int64_t f, std::int64_t m, std::int32_t first_day = 0,
                     std::int32_t last_day = 0) {
  return WindowFigures{f, Money{m}, first_day, last_day};
}

TEST_CASE("tier: thresholds with ties include every tied member", "[families]") {
  // tier_pyramid's last sweep: 31 members, the 7th and 8th tied at 450.
  std::vector<std::int64_t> m = {1200, 900, 800, 700, 600, 500, 450, 450};
  for (int i = 0; i < 23; ++i) m.push_back(320 - 10 * i);
  const auto t = tier_thresholds(m, TierRules{});
  REQUIRE(t);
  CHECK(t->vip == 1200);
  CHECK(t->major == 900);
  CHECK(t->regular == 450);
  CHECK(label_of(FamilyId::tier, tier_label(window(1, 1200), t)) == "vip");
  CHECK(label_of(FamilyId::tier, tier_label(window(1, 1199), t)) == "major");
  CHECK(label_of(FamilyId::tier, tier_label(window(1, 450), t)) == "regular");
  CHECK(label_of(FamilyId::tier, tier_label(window(1, 449), t)) == "small");
  CHECK(label_of(FamilyId::tier, tier_label(window(0, 0), t)) == "none");
  std::vector<std::int64_t> empty;
  CHECK_FALSE(tier_thresholds(empty, TierRules{}));
}

// The value family's thresholds in its rule tests.
constexpr ValueThresholds kValueThresholds{
    .m_top15 = 1000, .m_top50 = 300, .t_top15 = 400, .t_median = 60, .f_top15 = 6, .f_bottom15 = 1};

TEST_CASE("value: the first rule that holds, each at its boundary", "[families]") {
  const ValueRules rules;
  const EpochMs s{kT0 + 400 * kDay};
  const std::optional<ValueThresholds> thresholds = kValueThresholds;
  auto inputs = [&](std::uint32_t n, std::int64_t tenure, std::int64_t silence, WindowFigures w,
                    std::int64_t f90) {
    return ValueInputs{n, EpochMs{s.ms - tenure}, EpochMs{s.ms - silence}, w, f90};
  };
  struct Row {
    ValueInputs in;
    std::string_view expected;
  };
  const Row rows[] = {
      {inputs(1, 200 * kDay, 180 * kDay, window(0, 0), 0), "sleeping"},
      {inputs(1, 200 * kDay, 180 * kDay - 1, window(0, 0), 0), "regular"},
      // churning: 2 * f90 * T < n * 90d; T = 225d, f90 = 1, n = 5: 450d is not < 450d
      {inputs(5, 225 * kDay, 10 * kDay, window(5, 300, 0, 200), 1), "regular"},
      {inputs(5, 225 * kDay - 1, 10 * kDay, window(5, 300, 0, 200), 1), "churning"},
      {inputs(3, 180 * kDay - 1, 10 * kDay, window(3, 300, 0, 60), 0), "loyal"},  // T < 180d
      {inputs(1, kDay, kDay, window(1, 1000), 1), "high_value"},
      {inputs(2, kDay, kDay, window(2, 800), 2), "high_ticket"},          // t 400
      {inputs(6, kDay, kDay, window(6, 354), 6), "frequent_low_ticket"},  // t 59 < 60
      {inputs(6, kDay, kDay, window(6, 360), 6), "loyal"},                // t 60: not < median
      {inputs(3, kDay, kDay, window(3, 300, 10, 70), 3), "loyal"},        // span 60 <= 30 * 2
      {inputs(3, kDay, kDay, window(3, 300, 10, 71), 3), "regular"},      // span 61
      {inputs(1, kDay, kDay, window(1, 59), 1), "infrequent_low_ticket"},
      {inputs(1, kDay, kDay, window(1, 60), 1), "regular"},
      {inputs(1, kDay, kDay, window(0, 0), 0), "regular"},  // not in Q
  };
  for (const Row& row : rows) {
    INFO("expected " << row.expected);
    CHECK(label_of(FamilyId::value, value_label(row.in, s, thresholds, rules)) == row.expected);
  }
  CHECK(label_of(FamilyId::value, value_label(rows[5].in, s, std::nullopt, rules)) == "regular");
}

TEST_CASE("value: the label turns with time only where value_next_time_change says", "[families]") {
  const ValueRules rules;
  const std::optional<ValueThresholds> thresholds = kValueThresholds;
  const EpochMs first{kT0};
  // Exact turns: sleeping at last + 180d; churning from tenure 180d (n >= 3) until
  // 2 * f90 * T >= n * 90d (n = 5, f90 = 1: T = 225d).
  const ValueInputs churner{5, first, EpochMs{kT0 + 170 * kDay}, window(5, 300, 0, 200), 1};
  CHECK(value_next_time_change(churner, EpochMs{kT0}, rules) == EpochMs{kT0 + 180 * kDay});
  CHECK(value_next_time_change(churner, EpochMs{kT0 + 180 * kDay}, rules) ==
        EpochMs{kT0 + 225 * kDay});
  CHECK(value_next_time_change(churner, EpochMs{kT0 + 225 * kDay}, rules) ==
        EpochMs{kT0 + 350 * kDay});
  CHECK_FALSE(value_next_time_change(churner, EpochMs{kT0 + 350 * kDay}, rules));
  // f90 = 0: churning from 180d until sleeping.
  const ValueInputs quiet{3, first, EpochMs{kT0 + 100 * kDay}, window(3, 300, 0, 60), 0};
  CHECK(value_next_time_change(quiet, EpochMs{kT0 + kDay}, rules) == EpochMs{kT0 + 180 * kDay});
  CHECK(value_next_time_change(quiet, EpochMs{kT0 + 180 * kDay}, rules) ==
        EpochMs{kT0 + 280 * kDay});
  // Between consecutive turns the label holds, and every change is at a turn: sampled at
  // every 6 hours and at each turn and the millisecond before it, on generated inputs.
  Lcg random(99);
  const auto next = [&](std::uint64_t n) { return static_cast<std::int64_t>(random() % n); };
  for (int round = 0; round < 200; ++round) {
    const auto n = static_cast<std::uint32_t>(1 + next(12));
    const std::int64_t span = next(200) * kDay + next(kDay);
    const ValueInputs in{n, first, EpochMs{kT0 + span}, window(next(8), next(2000)), next(5)};
    EpochMs at{kT0 + span};
    std::uint8_t label = value_label(in, at, thresholds, rules);
    std::optional<EpochMs> turn = value_next_time_change(in, at, rules);
    for (EpochMs now{at.ms + 6 * 3'600'000}; now.ms < kT0 + 800 * kDay; now.ms += 6 * 3'600'000) {
      while (turn && *turn <= now) {
        CHECK(value_label(in, EpochMs{turn->ms - 1}, thresholds, rules) == label);
        at = *turn;
        label = value_label(in, at, thresholds, rules);
        turn = value_next_time_change(in, at, rules);
        REQUIRE((!turn || at < *turn));
      }
      INFO("round " << round << " at " << now.ms);
      CHECK(value_label(in, now, thresholds, rules) == label);
    }
  }
}

TEST_CASE("value thresholds: positions of value_types' first sweep", "[families]") {
  std::vector<std::int64_t> m = {1200, 300, 800, 300, 300, 40};
  std::vector<std::int64_t> t = {400, 100, 400, 50, 60, 40};
  std::vector<std::int64_t> f = {3, 3, 2, 6, 5, 1};
  const auto v = value_thresholds(m, t, f);
  REQUIRE(v);
  CHECK(v->m_top15 == 1200);
  CHECK(v->m_top50 == 300);
  CHECK(v->t_top15 == 400);
  CHECK(v->t_median == 60);
  CHECK(v->f_top15 == 6);
  CHECK(v->f_bottom15 == 1);
}

TEST_CASE("lifecycle: a profile without purchases is prospect", "[families]") {
  MemberFigures f;
  f.has_profile = true;
  CHECK(lifecycle_label(f, EpochMs{kT0}, LifecycleRules{}) == LifecycleLabel::prospect);
  f.purchases = 1;
  f.first_purchase = f.last_purchase = EpochMs{kT0};
  CHECK(lifecycle_label(f, EpochMs{kT0}, LifecycleRules{}) == LifecycleLabel::new_member);
}

TEST_CASE("birthday reminders: local midnight minus the lead, 02-29 on 02-28", "[actions]") {
  const DurationMs lead = DurationMs::days(7);
  const DurationMs plus8 = DurationMs::hours(8);
  const EpochMs jan5{kT0 + 4 * kDay};
  // 2024 (leap): 02-29 - 7d = local 02-22 00:00 = 2024-02-21T16:00Z
  CHECK(next_birthday_reminder("02-29", jan5, lead, plus8) == EpochMs{1'708'531'200'000});
  // after it fired: 2025-02-28 - 7d = local 02-21 00:00 = 2025-02-20T16:00Z
  CHECK(next_birthday_reminder("02-29", EpochMs{1'708'531'200'000}, lead, plus8) ==
        EpochMs{1'740'067'200'000});
  // "strictly after": the instant itself gives the next year
  const auto due = next_birthday_reminder("1990-03-15", jan5, lead, DurationMs{0});
  REQUIRE(due);
  CHECK(next_birthday_reminder("1990-03-15", EpochMs{due->ms - 1}, lead, DurationMs{0}) == due);
  CHECK(next_birthday_reminder("1990-03-15", *due, lead, DurationMs{0}) ==
        EpochMs{due->ms + 365 * kDay});
}

TEST_CASE("follow-ups skip steps not after t_eval; replenish cycles round down", "[actions]") {
  EngineOptions options;
  options.enabled_actions.add(ActionKind::follow_up);
  options.enabled_actions.add(ActionKind::replenish);
  const ActionPlanner planner(options);
  MemberState member;
  member.figures = bought(1, kT0, kT0);
  const std::array<std::string_view, 1> diapers = {"diapers"};
  PurchaseEvent event{"e1", "m", EpochMs{kT0}, EventType::purchase, Money{1}, diapers, {}};
  planner.plan(member, event, 0, false, EpochMs{kT0 + 21 * kDay});  // late: t_eval = t + 21d
  REQUIRE(member.pending_actions.size() == 1);
  CHECK(member.pending_actions[0].step == 3);
  CHECK(member.pending_actions[0].due == EpochMs{kT0 + 90 * kDay});
  // a second purchase of diapers 14d + 1ms later: cycle (14d + 1ms) / 1, due last + cycle - 3d
  PurchaseEvent second = event;
  second.ts = EpochMs{kT0 + 14 * kDay + 1};
  planner.plan(member, second, 1, false, second.ts);
  REQUIRE(member.pending_actions.size() == 2);
  const PendingAction& reminder = member.pending_actions[0];
  CHECK(reminder.kind == ActionKind::replenish);
  CHECK(reminder.expected == EpochMs{kT0 + 28 * kDay + 2});
  CHECK(reminder.due == EpochMs{kT0 + 25 * kDay + 2});
  // a take before the due time gives nothing; at it, the reminder
  CHECK_FALSE(planner.take_due(member, EpochMs{reminder.due.ms - 1}));
  const auto taken = planner.take_due(member, EpochMs{kT0 + 25 * kDay + 2});
  REQUIRE(taken);
  CHECK(taken->category == "diapers");
}

}  // namespace
}  // namespace segmentd
