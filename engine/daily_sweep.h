// The daily sweep of the ranked families (SPEC 5.6): at each local midnight S the
// stream's clock passes, tier, value and quadrant with medians rank the stream's members
// over the purchases before S and the complete days before S, and every member with a
// purchase before S gets its ranked labels, in member_id (UTF-8 byte) order.
//
// Cost: the sweep keeps one compact record per member with a purchase (its figures at
// the last sweep that looked at it and its ranked labels), read once from the member
// table at the first sweep and then kept current. A sweep reloads only the members whose
// figures can have changed (an event since, purchases it still had to leave out, a day
// with activity entering or leaving a window: a calendar of active days says which);
// thresholds come from nth_element over flat arrays of the records (linear), and a
// member's state is touched only when one of its labels changes. A member keeps the
// purchase times at or after the oldest unswept midnight individually (note_purchase),
// so purchases applied ahead of the clock are left out.
// A sweep runs inside one call of the engine, so it is committed atomically with the
// checkpoint that follows it (no sweep is ever half done in the store).
//
// Not thread-safe: owned by the stream's processor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_options.h"
#include "engine/families/window.h"
#include "engine/family_set.h"
#include "engine/flat_id_map.h"
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
  // One member's figures at the last sweep that evaluated it, and its ranked labels.
  struct Record {
    const std::string* id = nullptr;  // the key in index_
    std::uint32_t purchases = 0;      // before that sweep; 0: not evaluated
    EpochMs first{};
    EpochMs last{};
    WindowFigures tier;
    WindowFigures quadrant;
    WindowFigures value;
    std::int64_t purchases_90 = 0;
    std::array<std::uint8_t, kFamilyCount> labels{};
    bool dirty = true;
  };
  std::uint32_t record_for(std::string_view member_id, const MemberState& member);
  void note_active_day(std::uint32_t record, std::int32_t day);
  void load_all();
  void refresh(Record& record, EpochMs s, std::int32_t today);
  void mark_dirty_days(std::int32_t today);

  const EngineOptions& options_;
  const FamilySet& families_;
  MemberTable& members_;
  bool loaded_ = false;
  FlatIdMap<std::uint32_t> index_;                                  // member id -> record
  std::vector<Record> records_;                                     // in join order
  std::map<std::int32_t, std::vector<std::uint32_t>> active_days_;  // day -> records
  // Reused by each run(): the threshold figures and the records whose labels changed.
  std::vector<std::int64_t> tier_m_, quadrant_f_, quadrant_m_, value_m_, value_t_, value_f_;
  std::vector<std::uint32_t> changed_;
};

}  // namespace segmentd
