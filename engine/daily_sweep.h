// The daily sweep of the ranked families (SPEC 5.6): at each local midnight S the
// stream's clock passes, tier, value and quadrant with medians rank the stream's members
// over the purchases before S and the complete days before S, and every member with a
// purchase before S gets its ranked labels, in member_id (UTF-8 byte) order.
//
// Cost: the sweep keeps one compact record per member with a purchase (its figures at
// the last sweep that looked at it and its ranked labels), read once from the member
// table at the first sweep and then kept current, and each threshold figure of every
// record in a flat array (by record). Records are numbered by a DenseIdIndex, which
// holds each member id once (about 35 bytes a member, against about 100 in a map of
// nodes). A sweep reloads only the members whose figures can have changed (an event
// since, purchases it still had to leave out, a day with activity entering or leaving a
// window: a calendar of active days says which). Thresholds are selected over the flat
// arrays near the day before's (RankSelector with hints), and labels are computed again
// only for the members whose label can change: those reloaded, those whose figure lies
// between a threshold's old and new value, and those whose value label turns with time on
// this day (value_next_time_change, kept in a calendar). A member's state is touched only
// when one of its labels changes. A member keeps the purchase times at or after the
// oldest unswept midnight individually (note_purchase), so purchases applied ahead of the
// clock are left out.
// A sweep runs inside one call of the engine, so it is committed atomically with the
// checkpoint that follows it (no sweep is ever half done in the store).
//
// Not thread-safe: owned by the stream's processor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/dense_id_index.h"
#include "engine/engine_options.h"
#include "engine/families/population.h"
#include "engine/families/tier.h"
#include "engine/families/value.h"
#include "engine/families/window.h"
#include "engine/family_set.h"
#include "engine/member_table.h"

namespace segmentd {

class DailySweep {
 public:
  // Called for each ranked label that changes, in member_id then family order.
  using OnChange = std::function<void(std::string_view member_id, MemberState& member,
                                      FamilyId family, std::uint8_t to)>;

  DailySweep(const EngineOptions& options, const FamilySet& families, MemberTable& members);

  // An event (purchase or refund) on local `day` was applied to `member`.
  void touch(std::string_view member_id, const MemberState& member, std::int32_t day);

  // Records purchase time `ts` in `member` when `oldest_unswept` (the first midnight
  // after the clock) is not after it.
  static void note_purchase(MemberState& member, EpochMs ts, EpochMs oldest_unswept);

  // Runs the sweep at midnight `s`.
  void run(EpochMs s, const OnChange& on_change);

 private:
  // One member's figures at the last sweep that evaluated it, and its ranked labels. Its
  // window sums (f_W, m_W) are kept in figures_ only, so a record is 48 bytes; its id is
  // ids_.id() of its index.
  struct Record {
    EpochMs first{};
    EpochMs last{};
    std::uint32_t purchases = 0;       // before that sweep; 0: not evaluated
    std::int32_t value_first_day = 0;  // of the purchases in the value window
    std::int32_t value_last_day = 0;
    std::uint32_t purchases_90 = 0;
    std::uint32_t labelled = 0;   // the run that last put it in candidates_ (0: none)
    std::int32_t value_turn = 0;  // the day value_turns_ holds it for (0: none)
    std::array<std::uint8_t, kFamilyCount> labels{};
    bool dirty = false;  // in dirty_
  };
  // The threshold figures of every record (kOutsidePopulation outside a family's
  // population), and how many slots are outside.
  struct Figures {
    std::vector<std::int64_t> tier_m, quadrant_f, quadrant_m, value_m, value_t, value_f;
    std::size_t tier_outside = 0, quadrant_outside = 0, value_outside = 0;
  };
  // The thresholds the labels of every record were computed with.
  struct Thresholds {
    std::optional<TierThresholds> tier;
    std::optional<std::pair<std::int64_t, std::int64_t>> medians;  // f*, m* thousandths
    std::optional<ValueThresholds> value;
  };

  std::uint32_t record_for(std::string_view member_id, const MemberState& member);
  void mark_dirty(std::uint32_t record);
  void note_active_day(std::uint32_t record, std::int32_t day);
  void load_all();
  void refresh(std::uint32_t record, EpochMs s, std::int32_t today);
  WindowFigures value_window(std::uint32_t record) const;
  void mark_dirty_days(std::int32_t today);
  void prefetch_members(const std::vector<std::uint32_t>& records, std::size_t i);
  Thresholds select_thresholds();
  // Adds to candidates_ the records whose label may change between `was` and `now`.
  void add_crossing(const Thresholds& was, const Thresholds& now);
  void add_candidate(std::uint32_t record);
  // Labels the candidates; collects those whose labels changed into changed_.
  void relabel(EpochMs s, std::int32_t today, const Thresholds& thresholds);

  const EngineOptions& options_;
  const FamilySet& families_;
  MemberTable& members_;
  const bool tier_;      // families enabled
  const bool quadrant_;  // enabled and ranked
  const bool value_;
  bool loaded_ = false;
  std::uint32_t runs_ = 0;
  DenseIdIndex ids_;             // member id -> record (numbered in join order)
  std::vector<Record> records_;  // by record
  Figures figures_;              // by record
  std::map<std::int32_t, std::vector<std::uint32_t>> active_days_;  // day -> records
  std::map<std::int32_t, std::vector<std::uint32_t>> value_turns_;  // sweep day -> records
  Thresholds last_;                   // of the last run (none before the first)
  std::vector<std::uint32_t> dirty_;  // the records the next run reloads
  // Reused by each run(): the records to label, and those whose labels changed.
  std::vector<std::uint32_t> candidates_, changed_;
  // The thresholds of the last run, so that the next one selects near them.
  RankHints tier_hints_, quadrant_f_hints_, quadrant_m_hints_;
  ValueRankHints value_hints_;
};

}  // namespace segmentd
