// The daily sweep computes labels again only for the members whose label can change
// (reloaded, crossed by a threshold, or turning with time): after every sweep, each
// member's ranked labels equal those of a sweep that ranks and labels everybody from
// scratch with the pure family functions.
#include "engine/daily_sweep.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/families/quadrant.h"
#include "engine/families/tier.h"
#include "engine/families/value.h"
#include "engine/families/window.h"
#include "tests/support/in_memory_members.h"

namespace segmentd {
namespace {

struct ExpectedLabels {
  std::uint8_t quadrant = 0, tier = 0, value = 0;
};

// Every member's ranked labels at the sweep of `today`, from scratch.
std::vector<ExpectedLabels> from_scratch(const EngineOptions& options,
                                         const std::vector<const MemberState*>& members,
                                         std::int32_t today) {
  const EpochMs s = day_start(today, options.utc_offset);
  const auto window = [&](const MemberState& m, std::int32_t days) {
    return window_figures(m.figures.days, today - days, today - 1);
  };
  std::vector<std::int64_t> tier_m, quadrant_f, quadrant_m, value_m, value_t, value_f;
  for (const MemberState* m : members) {
    if (m->figures.purchases == 0) continue;
    const WindowFigures tier = window(*m, options.tier.window_days);
    const WindowFigures quadrant = window(*m, options.quadrant.window_days);
    const WindowFigures value = window(*m, options.value.window_days);
    if (tier.purchases > 0) tier_m.push_back(tier.net.thousandths);
    if (quadrant.purchases > 0) {
      quadrant_f.push_back(quadrant.purchases);
      quadrant_m.push_back(quadrant.net.thousandths);
    }
    if (value.purchases > 0) {
      value_m.push_back(value.net.thousandths);
      value_t.push_back(average_ticket(value.net, value.purchases).thousandths);
      value_f.push_back(value.purchases);
    }
  }
  const auto tier_t = tier_thresholds(tier_m, options.tier);
  const auto value_t_ = value_thresholds(value_m, value_t, value_f);
  std::optional<std::pair<std::int64_t, std::int64_t>> medians;
  if (!quadrant_f.empty()) {
    const std::size_t position = median_position(quadrant_f.size());
    medians.emplace(RankSelector(quadrant_f).ascending(position),
                    RankSelector(quadrant_m).ascending(position));
  }
  std::vector<ExpectedLabels> labels;
  for (const MemberState* m : members) {
    ExpectedLabels l;
    if (m->figures.purchases > 0) {
      const WindowFigures quadrant = window(*m, options.quadrant.window_days);
      l.quadrant = medians ? quadrant_label(quadrant.purchases, quadrant.net, medians->first,
                                            Money{medians->second})
                           : std::uint8_t{0};
      l.tier = tier_label(window(*m, options.tier.window_days), tier_t);
      const ValueInputs inputs{m->figures.purchases, m->figures.first_purchase,
                               m->swept_last_purchase, window(*m, options.value.window_days),
                               window(*m, 90).purchases};
      l.value = value_label(inputs, s, value_t_, options.value);
    }
    labels.push_back(l);
  }
  return labels;
}

TEST_CASE("each sweep's labels equal a sweep that labels every member from scratch", "[sweep]") {
  EngineOptions options;
  options.families.add(FamilyId::tier);
  options.families.add(FamilyId::value);
  options.families.add(FamilyId::quadrant);
  options.quadrant.median = true;
  options.tier.window_days = 60;  // windows short enough to leave within the run
  options.quadrant.window_days = 45;
  options.value.window_days = 120;
  options.value.sleeping_after = DurationMs::days(50);
  const FamilySet families(options);
  testing::InMemoryMembers table;
  DailySweep sweep(options, families, table);
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) ids.push_back("m-" + std::to_string(i));
  std::uint64_t seed = 2024;
  const auto next = [&](std::uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  const auto on_change = [](std::string_view, MemberState& m, FamilyId f, std::uint8_t to) {
    m.label(f) = to;
  };
  const std::int32_t first_day = 19723;  // 2024-01-01
  for (std::int32_t today = first_day; today < first_day + 400; ++today) {
    // Purchases of the day before, by some members; in bursts, so that members go
    // quiet, sleep and churn, and thresholds move by more than a little on some days.
    const bool burst = (today / 30) % 3 == 0;
    for (const std::string& id : ids) {
      if (next(burst ? 8 : 40) != 0) continue;
      MemberState& m = table.load(id);
      PurchaseEvent e;
      e.ts = day_start(today - 1, options.utc_offset) + DurationMs::hours(9);
      e.amount = Money{static_cast<std::int64_t>(1'000 + next(4) * next(200'000))};
      add_to_figures(m.figures, e, today - 1);
      m.swept_last_purchase = max(m.swept_last_purchase, e.ts);
      sweep.touch(id, m, today - 1);
    }
    sweep.run(day_start(today, options.utc_offset), on_change);
    std::vector<const MemberState*> members;
    for (const std::string& id : ids) members.push_back(&table.load(id));
    const std::vector<ExpectedLabels> expected = from_scratch(options, members, today);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      INFO(ids[i] << " on day " << today - first_day);
      CHECK(members[i]->label(FamilyId::quadrant) == expected[i].quadrant);
      CHECK(members[i]->label(FamilyId::tier) == expected[i].tier);
      CHECK(members[i]->label(FamilyId::value) == expected[i].value);
    }
  }
}

}  // namespace
}  // namespace segmentd
