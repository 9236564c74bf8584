#include "engine/daily_sweep.h"

#include <algorithm>
#include <optional>

#include "engine/event_time.h"
#include "engine/families/population.h"
#include "engine/families/quadrant.h"
#include "engine/families/tier.h"
#include "engine/families/value.h"
#include "engine/families/window.h"

namespace segmentd {

namespace {

constexpr std::int32_t kRecentDays = 90;  // f_90 of the value family

// Folds the purchases before `s` into swept_last_purchase; returns the purchases
// before `s`.
std::uint32_t settle_before(MemberState& member, EpochMs s) {
  auto& unswept = member.unswept_purchases;
  const auto first_kept = std::lower_bound(unswept.begin(), unswept.end(), s);
  if (first_kept != unswept.begin()) {
    member.swept_last_purchase = max(member.swept_last_purchase, *(first_kept - 1));
    unswept.erase(unswept.begin(), first_kept);
  }
  return member.figures.purchases - static_cast<std::uint32_t>(unswept.size());
}

}  // namespace

DailySweep::DailySweep(const EngineOptions& options, const FamilySet& families,
                       MemberTable& members)
    : options_(options), families_(families), members_(members) {}

void DailySweep::add_member(std::string_view member_id) { joined_.emplace_back(member_id); }

void DailySweep::note_purchase(MemberState& member, EpochMs ts, EpochMs oldest_unswept) {
  if (ts < oldest_unswept) {
    const bool had_settled =
        member.figures.purchases > 1 + member.unswept_purchases.size();  // before this one
    member.swept_last_purchase = had_settled ? max(member.swept_last_purchase, ts) : ts;
    return;
  }
  auto& unswept = member.unswept_purchases;
  unswept.insert(std::upper_bound(unswept.begin(), unswept.end(), ts), ts);
}

void DailySweep::load_roster() {
  roster_ = members_.member_ids();
  roster_loaded_ = true;
}

void DailySweep::run(EpochMs s, const OnChange& on_change) {
  if (!roster_loaded_) load_roster();
  if (!joined_.empty()) {
    std::sort(joined_.begin(), joined_.end());
    std::vector<std::string> merged;
    merged.reserve(roster_.size() + joined_.size());
    std::merge(std::make_move_iterator(roster_.begin()), std::make_move_iterator(roster_.end()),
               std::make_move_iterator(joined_.begin()), std::make_move_iterator(joined_.end()),
               std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    roster_ = std::move(merged);
    joined_.clear();
  }
  const std::int32_t today = calendar_day(s, options_.utc_offset);
  const bool tier = families_.enabled(FamilyId::tier);
  const bool value = families_.enabled(FamilyId::value);
  const bool quadrant =
      families_.enabled(FamilyId::quadrant) && families_.ranked(FamilyId::quadrant);

  // Pass 1: each member's figures before S, and the population arrays.
  struct Figures {
    std::uint32_t roster_index;
    ValueInputs value;
    WindowFigures tier;
    WindowFigures quadrant;
  };
  std::vector<Figures> figures;
  std::vector<std::int64_t> tier_m, quadrant_f, quadrant_m, value_m, value_t, value_f;
  for (std::uint32_t i = 0; i < roster_.size(); ++i) {
    MemberState& member = members_.load(roster_[i]);
    const std::size_t unswept_before = member.unswept_purchases.size();
    const std::uint32_t n = settle_before(member, s);
    if (member.unswept_purchases.size() != unswept_before) members_.mark_changed();
    if (n == 0) continue;
    Figures f{i, {}, {}, {}};
    const auto& days = member.figures.days;
    if (tier) {
      f.tier = window_figures(days, today - options_.tier.window_days, today - 1);
      if (f.tier.purchases > 0) tier_m.push_back(f.tier.net.thousandths);
    }
    if (quadrant) {
      f.quadrant = window_figures(days, today - options_.quadrant.window_days, today - 1);
      if (f.quadrant.purchases > 0) {
        quadrant_f.push_back(f.quadrant.purchases);
        quadrant_m.push_back(f.quadrant.net.thousandths);
      }
    }
    if (value) {
      f.value = ValueInputs{n, member.figures.first_purchase, member.swept_last_purchase,
                            window_figures(days, today - options_.value.window_days, today - 1),
                            window_figures(days, today - kRecentDays, today - 1).purchases};
      const WindowFigures& w = f.value.window;
      if (w.purchases > 0) {
        value_m.push_back(w.net.thousandths);
        value_t.push_back(average_ticket(w.net, w.purchases).thousandths);
        value_f.push_back(w.purchases);
      }
    }
    figures.push_back(f);
  }

  // Thresholds.
  const std::optional<TierThresholds> tier_t = tier_thresholds(tier_m, options_.tier);
  std::optional<std::pair<std::int64_t, std::int64_t>> medians;
  if (!quadrant_f.empty()) {
    const std::size_t position = median_position(quadrant_f.size());
    medians.emplace(nth_ascending(quadrant_f, position), nth_ascending(quadrant_m, position));
  }
  const std::optional<ValueThresholds> value_t_ = value_thresholds(value_m, value_t, value_f);

  // Pass 2: labels, in member_id order.
  for (const Figures& f : figures) {
    const std::string& id = roster_[f.roster_index];
    MemberState& member = members_.load(id);
    std::array<std::optional<std::uint8_t>, kFamilyCount> labels{};
    if (quadrant) {
      labels[static_cast<std::size_t>(FamilyId::quadrant)] =
          medians ? quadrant_label(f.quadrant.purchases, f.quadrant.net, medians->first,
                                   Money{medians->second})
                  : std::uint8_t{0};
    }
    if (tier) labels[static_cast<std::size_t>(FamilyId::tier)] = tier_label(f.tier, tier_t);
    if (value) {
      labels[static_cast<std::size_t>(FamilyId::value)] =
          value_label(f.value, s, value_t_, options_.value);
    }
    for (FamilyId family : kAllFamilies) {
      const auto& to = labels[static_cast<std::size_t>(family)];
      if (to && *to != member.label(family)) on_change(id, member, family, *to);
    }
  }
}

}  // namespace segmentd
