#include "engine/daily_sweep.h"

#include <algorithm>
#include <optional>

#include "engine/event_time.h"
#include "engine/families/population.h"
#include "engine/families/quadrant.h"
#include "engine/families/tier.h"
#include "engine/families/value.h"

namespace segmentd {

namespace {

constexpr std::int32_t kRecentDays = 90;  // f_90 of the value family
constexpr std::array<FamilyId, 3> kRankable = {FamilyId::quadrant, FamilyId::tier, FamilyId::value};

// Folds the purchases before `s` into swept_last_purchase.
void settle_before(MemberState& member, EpochMs s) {
  auto& unswept = member.unswept_purchases;
  const auto first_kept = std::lower_bound(unswept.begin(), unswept.end(), s);
  member.swept_last_purchase = max(member.swept_last_purchase, *(first_kept - 1));
  unswept.erase(unswept.begin(), first_kept);
}

std::size_t at(FamilyId f) { return static_cast<std::size_t>(f); }

}  // namespace

DailySweep::DailySweep(const EngineOptions& options, const FamilySet& families,
                       MemberTable& members)
    : options_(options),
      families_(families),
      members_(members),
      tier_(families.enabled(FamilyId::tier)),
      quadrant_(families.enabled(FamilyId::quadrant) && families.ranked(FamilyId::quadrant)),
      value_(families.enabled(FamilyId::value)) {}

std::uint32_t DailySweep::record_for(std::string_view member_id, const MemberState& member) {
  const auto [record, inserted] = ids_.insert(member_id);
  if (inserted) {
    Record r;
    r.labels = member.labels;
    records_.push_back(r);
    const auto outside = [](std::vector<std::int64_t>& slots, std::size_t& count) {
      slots.push_back(kOutsidePopulation);
      ++count;
    };
    if (tier_) outside(figures_.tier_m, figures_.tier_outside);
    if (quadrant_) {
      outside(figures_.quadrant_f, figures_.quadrant_outside);
      figures_.quadrant_m.push_back(kOutsidePopulation);
    }
    if (value_) {
      outside(figures_.value_m, figures_.value_outside);
      figures_.value_t.push_back(kOutsidePopulation);
      figures_.value_f.push_back(kOutsidePopulation);
    }
    mark_dirty(record);
  }
  return record;
}

void DailySweep::mark_dirty(std::uint32_t record) {
  if (records_[record].dirty) return;
  records_[record].dirty = true;
  dirty_.push_back(record);
}

void DailySweep::note_active_day(std::uint32_t record, std::int32_t day) {
  auto& bucket = active_days_[day];
  if (bucket.empty() || bucket.back() != record) bucket.push_back(record);
}

void DailySweep::touch(std::string_view member_id, const MemberState& member, std::int32_t day) {
  if (!loaded_) return;  // load_all() will read it
  if (member.figures.purchases == 0 && ids_.find(member_id) == DenseIdIndex::kAbsent) {
    return;  // refunds alone never rank a member
  }
  const std::uint32_t record = record_for(member_id, member);
  mark_dirty(record);
  note_active_day(record, day);
}

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

void DailySweep::load_all() {
  for (const std::string& id : members_.member_ids()) {
    const MemberState& member = members_.load(id);
    if (member.figures.purchases == 0) continue;
    const std::uint32_t record = record_for(id, member);
    for (const DayActivity& d : member.figures.days) note_active_day(record, d.day);
  }
  loaded_ = true;
}

// Asks memory for the members of records[i + 1 ...], a few steps ahead of their reads
// (MemberTable::prefetch): at a million members they are rarely in the caches.
void DailySweep::prefetch_members(const std::vector<std::uint32_t>& records, std::size_t i) {
  const std::size_t left = records.size() - i;
  if (left > 8) members_.prefetch(ids_.id(records[i + 8]), 0);
  if (left > 4) members_.prefetch(ids_.id(records[i + 4]), 1);
  if (left > 1) members_.prefetch(ids_.id(records[i + 1]), 2);
}

// Marks the members with activity on a day entering a window (yesterday) or leaving one.
void DailySweep::mark_dirty_days(std::int32_t today) {
  const std::int32_t windows[] = {options_.tier.window_days, options_.quadrant.window_days,
                                  options_.value.window_days, kRecentDays};
  auto mark = [&](std::int32_t day) {
    const auto it = active_days_.find(day);
    if (it == active_days_.end()) return;
    for (std::uint32_t r : it->second) mark_dirty(r);
  };
  mark(today - 1);
  for (std::int32_t w : windows) mark(today - 1 - w);
  // Days no window of a later sweep can reach.
  const std::int32_t longest = *std::max_element(std::begin(windows), std::end(windows));
  active_days_.erase(active_days_.begin(), active_days_.lower_bound(today - 1 - longest));
}

// Reads the member's figures before `s` from its state into its record and the flat
// threshold figures.
void DailySweep::refresh(std::uint32_t index, EpochMs s, std::int32_t today) {
  Record& record = records_[index];
  // Read only (most members): the state changes only when purchases it had to leave out
  // are before S now.
  const std::string_view id = ids_.id(index);
  const MemberState* read = &members_.read_figures(id);
  if (!read->unswept_purchases.empty() && read->unswept_purchases.front() < s) {
    MemberState& member = members_.load(id);
    settle_before(member, s);
    members_.mark_changed();
    read = &member;
  }
  const MemberState& member = *read;
  record.purchases =
      member.figures.purchases - static_cast<std::uint32_t>(member.unswept_purchases.size());
  if (!member.unswept_purchases.empty()) mark_dirty(index);
  WindowFigures tier, quadrant, value, recent;
  if (record.purchases > 0) {
    record.first = member.figures.first_purchase;
    record.last = member.swept_last_purchase;
    // Every window ends the day before the sweep; one pass over the days fills them all.
    std::array<std::int32_t, 4> from{};
    std::array<WindowFigures*, 4> into{};
    std::size_t windows = 0;
    const auto want = [&](std::int32_t days, WindowFigures& w) {
      from[windows] = today - days;
      into[windows++] = &w;
    };
    if (tier_) want(options_.tier.window_days, tier);
    if (quadrant_) want(options_.quadrant.window_days, quadrant);
    if (value_) {
      want(options_.value.window_days, value);
      want(kRecentDays, recent);
    }
    std::array<WindowFigures, 4> figures;
    window_figures_to(member.figures.days, std::span(from.data(), windows), today - 1,
                      std::span(figures.data(), windows));
    for (std::size_t k = 0; k < windows; ++k) *into[k] = figures[k];
    record.value_first_day = value.first_purchase_day;
    record.value_last_day = value.last_purchase_day;
    record.purchases_90 = static_cast<std::uint32_t>(recent.purchases);
  }
  // The flat figures: a member is in a family's population with a purchase before S and
  // one in the family's window.
  const auto put = [&](std::vector<std::int64_t>& slots, std::size_t* outside, bool in,
                       std::int64_t figure) {
    const std::int64_t slot = in ? figure : kOutsidePopulation;
    if (outside != nullptr) {
      *outside += static_cast<std::size_t>(slot == kOutsidePopulation);
      *outside -= static_cast<std::size_t>(slots[index] == kOutsidePopulation);
    }
    slots[index] = slot;
  };
  if (tier_) {
    put(figures_.tier_m, &figures_.tier_outside, tier.purchases > 0, tier.net.thousandths);
  }
  if (quadrant_) {
    const bool in = quadrant.purchases > 0;
    put(figures_.quadrant_f, &figures_.quadrant_outside, in, quadrant.purchases);
    put(figures_.quadrant_m, nullptr, in, quadrant.net.thousandths);
  }
  if (value_) {
    const bool in = value.purchases > 0;
    put(figures_.value_m, &figures_.value_outside, in, value.net.thousandths);
    put(figures_.value_t, nullptr, in,
        in ? average_ticket(value.net, value.purchases).thousandths : 0);
    put(figures_.value_f, nullptr, in, value.purchases);
  }
}

// The figures of the value window, as refresh() left them in the record and figures_.
WindowFigures DailySweep::value_window(std::uint32_t index) const {
  const std::int64_t f = figures_.value_f[index];
  if (f == kOutsidePopulation) return {};
  const Record& r = records_[index];
  return WindowFigures{f, Money{figures_.value_m[index]}, r.value_first_day, r.value_last_day};
}

DailySweep::Thresholds DailySweep::select_thresholds() {
  Thresholds t;
  if (tier_) {
    t.tier = tier_thresholds(figures_.tier_m, options_.tier, figures_.tier_outside, &tier_hints_);
  }
  if (quadrant_) {
    RankSelector f(figures_.quadrant_f, figures_.quadrant_outside, &quadrant_f_hints_);
    RankSelector m(figures_.quadrant_m, figures_.quadrant_outside, &quadrant_m_hints_);
    if (f.size() > 0) {
      const std::size_t position = median_position(f.size());
      t.medians.emplace(f.ascending(position), m.ascending(position));
    }
  }
  if (value_) {
    t.value = value_thresholds(figures_.value_m, figures_.value_t, figures_.value_f,
                               figures_.value_outside, &value_hints_);
  }
  return t;
}

void DailySweep::add_candidate(std::uint32_t record) {
  if (records_[record].labelled == runs_) return;
  records_[record].labelled = runs_;
  candidates_.push_back(record);
}

// Every label compares a figure with a threshold (>= or <), so a threshold that moves
// from a to b can change only the labels of members whose figure lies in [a, b]: the
// selections collected those (RankHints::crossed).
void DailySweep::add_crossing(const Thresholds& was, const Thresholds& now) {
  const bool all = was.tier.has_value() != now.tier.has_value() ||
                   was.medians.has_value() != now.medians.has_value() ||
                   was.value.has_value() != now.value.has_value();
  if (all) {
    for (std::uint32_t r = 0; r < records_.size(); ++r) add_candidate(r);
  }
  for (RankHints* hints : {&tier_hints_, &quadrant_f_hints_, &quadrant_m_hints_, &value_hints_.m,
                           &value_hints_.t, &value_hints_.f}) {
    if (!all) {
      for (std::uint32_t r : hints->crossed) add_candidate(r);
    }
    hints->crossed.clear();
  }
}

void DailySweep::relabel(EpochMs s, std::int32_t today, const Thresholds& t) {
  changed_.clear();
  for (std::uint32_t index : candidates_) {
    Record& r = records_[index];
    if (r.purchases == 0) continue;
    std::array<std::uint8_t, kFamilyCount> labels = r.labels;
    if (quadrant_) {
      const std::int64_t f = figures_.quadrant_f[index];  // outside: f_W = 0
      labels[at(FamilyId::quadrant)] =
          t.medians && f != kOutsidePopulation
              ? quadrant_label(f, Money{figures_.quadrant_m[index]}, t.medians->first,
                               Money{t.medians->second})
              : std::uint8_t{0};
    }
    if (tier_) {
      const std::int64_t m = figures_.tier_m[index];  // outside: f_W = 0
      labels[at(FamilyId::tier)] =
          m == kOutsidePopulation ? std::uint8_t{0} : tier_label_in_window(m, t.tier);
    }
    if (value_) {
      const ValueInputs inputs{r.purchases, r.first, r.last, value_window(index), r.purchases_90};
      labels[at(FamilyId::value)] = value_label(inputs, s, t.value, options_.value);
      if (const auto turn = value_next_time_change(inputs, s, options_.value)) {
        // The first sweep at or after the turn.
        const std::int32_t day = calendar_day(*turn - DurationMs{1}, options_.utc_offset) + 1;
        if (day > today && day != r.value_turn) value_turns_[day].push_back(index);
        r.value_turn = day;
      }
    }
    if (labels == r.labels) continue;
    r.labels = labels;
    changed_.push_back(index);
  }
}

void DailySweep::run(EpochMs s, const OnChange& on_change) {
  if (!loaded_) load_all();
  ++runs_;
  const std::int32_t today = calendar_day(s, options_.utc_offset);
  mark_dirty_days(today);
  candidates_.clear();
  std::vector<std::uint32_t> reload;
  reload.swap(dirty_);
  std::sort(reload.begin(), reload.end());  // records and figures in memory order
  for (std::size_t i = 0; i < reload.size(); ++i) {
    prefetch_members(reload, i);
    const std::uint32_t r = reload[i];
    records_[r].dirty = false;
    refresh(r, s, today);  // may mark it dirty again: purchases still ahead of the clock
    add_candidate(r);
  }

  const Thresholds thresholds = select_thresholds();
  add_crossing(last_, thresholds);
  while (!value_turns_.empty() && value_turns_.begin()->first <= today) {
    for (std::uint32_t r : value_turns_.begin()->second) add_candidate(r);
    value_turns_.erase(value_turns_.begin());
  }
  last_ = thresholds;
  relabel(s, today, thresholds);

  // The members whose labels changed, in member_id order.
  std::sort(changed_.begin(), changed_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return ids_.id(a) < ids_.id(b); });
  for (std::size_t i = 0; i < changed_.size(); ++i) {
    prefetch_members(changed_, i);
    const std::uint32_t index = changed_[i];
    const Record& r = records_[index];
    const std::string_view id = ids_.id(index);
    MemberState& member = members_.load(id);
    for (FamilyId family : kRankable) {
      if (!families_.enabled(family) || !families_.ranked(family)) continue;
      const std::uint8_t to = r.labels[at(family)];
      if (to != member.label(family)) on_change(id, member, family, to);
    }
  }
}

}  // namespace segmentd
