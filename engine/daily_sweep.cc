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

std::size_t at(FamilyId f) { return static_cast<std::size_t>(f); }

}  // namespace

DailySweep::DailySweep(const EngineOptions& options, const FamilySet& families,
                       MemberTable& members)
    : options_(options), families_(families), members_(members) {}

std::uint32_t DailySweep::record_for(std::string_view member_id, const MemberState& member) {
  auto [node, inserted] = index_.try_emplace(member_id);
  if (inserted) {
    node->value = static_cast<std::uint32_t>(records_.size());
    Record record;
    record.id = &node->key;
    record.labels = member.labels;
    records_.push_back(record);
  }
  return node->value;
}

void DailySweep::note_active_day(std::uint32_t record, std::int32_t day) {
  auto& bucket = active_days_[day];
  if (bucket.empty() || bucket.back() != record) bucket.push_back(record);
}

void DailySweep::touch(std::string_view member_id, const MemberState& member, std::int32_t day) {
  if (!loaded_) return;  // load_all() will read it
  if (member.figures.purchases == 0 && index_.find(member_id) == nullptr) {
    return;  // refunds alone never rank a member
  }
  const std::uint32_t record = record_for(member_id, member);
  records_[record].dirty = true;
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

// Marks the members with activity on a day entering a window (yesterday) or leaving one.
void DailySweep::mark_dirty_days(std::int32_t today) {
  const std::int32_t windows[] = {options_.tier.window_days, options_.quadrant.window_days,
                                  options_.value.window_days, kRecentDays};
  auto mark = [&](std::int32_t day) {
    const auto it = active_days_.find(day);
    if (it == active_days_.end()) return;
    for (std::uint32_t r : it->second) records_[r].dirty = true;
  };
  mark(today - 1);
  for (std::int32_t w : windows) mark(today - 1 - w);
  // Days no window of a later sweep can reach.
  const std::int32_t longest = *std::max_element(std::begin(windows), std::end(windows));
  active_days_.erase(active_days_.begin(), active_days_.lower_bound(today - 1 - longest));
}

// Reads the member's figures before `s` from its state.
void DailySweep::refresh(Record& record, EpochMs s, std::int32_t today) {
  MemberState& member = members_.load(*record.id);
  const std::size_t unswept_before = member.unswept_purchases.size();
  record.purchases = settle_before(member, s);
  if (member.unswept_purchases.size() != unswept_before) members_.mark_changed();
  record.dirty = !member.unswept_purchases.empty();
  if (record.purchases == 0) return;
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
  WindowFigures recent;
  if (families_.enabled(FamilyId::tier)) want(options_.tier.window_days, record.tier);
  if (families_.enabled(FamilyId::quadrant) && families_.ranked(FamilyId::quadrant)) {
    want(options_.quadrant.window_days, record.quadrant);
  }
  if (families_.enabled(FamilyId::value)) {
    want(options_.value.window_days, record.value);
    want(kRecentDays, recent);
  }
  std::array<WindowFigures, 4> figures;
  window_figures_to(member.figures.days, std::span(from.data(), windows), today - 1,
                    std::span(figures.data(), windows));
  for (std::size_t k = 0; k < windows; ++k) *into[k] = figures[k];
  if (families_.enabled(FamilyId::value)) record.purchases_90 = recent.purchases;
}

void DailySweep::run(EpochMs s, const OnChange& on_change) {
  if (!loaded_) load_all();
  const std::int32_t today = calendar_day(s, options_.utc_offset);
  mark_dirty_days(today);
  const bool tier = families_.enabled(FamilyId::tier);
  const bool value = families_.enabled(FamilyId::value);
  const bool quadrant =
      families_.enabled(FamilyId::quadrant) && families_.ranked(FamilyId::quadrant);

  // Thresholds over the population of each family (one pass that also refreshes).
  tier_m_.clear();
  quadrant_f_.clear();
  quadrant_m_.clear();
  value_m_.clear();
  value_t_.clear();
  value_f_.clear();
  for (Record& r : records_) {
    if (r.dirty) refresh(r, s, today);
    if (r.purchases == 0) continue;
    if (tier && r.tier.purchases > 0) tier_m_.push_back(r.tier.net.thousandths);
    if (quadrant && r.quadrant.purchases > 0) {
      quadrant_f_.push_back(r.quadrant.purchases);
      quadrant_m_.push_back(r.quadrant.net.thousandths);
    }
    if (value && r.value.purchases > 0) {
      value_m_.push_back(r.value.net.thousandths);
      value_t_.push_back(average_ticket(r.value.net, r.value.purchases).thousandths);
      value_f_.push_back(r.value.purchases);
    }
  }
  const std::optional<TierThresholds> tier_t = tier_thresholds(tier_m_, options_.tier);
  std::optional<std::pair<std::int64_t, std::int64_t>> medians;
  if (!quadrant_f_.empty()) {
    const std::size_t position = median_position(quadrant_f_.size());
    medians.emplace(nth_ascending(quadrant_f_, position), nth_ascending(quadrant_m_, position));
  }
  const std::optional<ValueThresholds> value_t = value_thresholds(value_m_, value_t_, value_f_);

  // New labels of every record; the members whose labels change, in member_id order.
  changed_.clear();
  for (std::uint32_t index = 0; index < records_.size(); ++index) {
    Record& r = records_[index];
    if (r.purchases == 0) continue;
    std::array<std::uint8_t, kFamilyCount> labels = r.labels;
    if (quadrant) {
      labels[at(FamilyId::quadrant)] = medians
                                           ? quadrant_label(r.quadrant.purchases, r.quadrant.net,
                                                            medians->first, Money{medians->second})
                                           : std::uint8_t{0};
    }
    if (tier) labels[at(FamilyId::tier)] = tier_label(r.tier, tier_t);
    if (value) {
      const ValueInputs inputs{r.purchases, r.first, r.last, r.value, r.purchases_90};
      labels[at(FamilyId::value)] = value_label(inputs, s, value_t, options_.value);
    }
    if (labels == r.labels) continue;
    r.labels = labels;
    changed_.push_back(index);
  }
  std::sort(changed_.begin(), changed_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return *records_[a].id < *records_[b].id; });
  for (std::uint32_t index : changed_) {
    const Record& r = records_[index];
    MemberState& member = members_.load(*r.id);
    for (FamilyId family : kRankable) {
      if (!families_.enabled(family) || !families_.ranked(family)) continue;
      const std::uint8_t to = r.labels[at(family)];
      if (to != member.label(family)) on_change(*r.id, member, family, to);
    }
  }
}

}  // namespace segmentd
