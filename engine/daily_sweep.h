// The daily sweep of the ranked families (SPEC 5.6): at each local midnight S the
// stream's clock passes, tier, value and quadrant with medians rank the stream's members
// over the purchases before S and the complete days before S, and every member with a
// purchase before S gets its ranked labels, in member_id (UTF-8 byte) order.
//
// The sweep keeps the roster of the stream's members (read once from the member table,
// then grown by first purchases) and asks each member's state for its figures at S: a
// member keeps the purchase times at or after the oldest unswept midnight individually
// (note_purchase), so purchases applied ahead of the clock are left out. Thresholds come
// from nth_element over flat arrays of the window figures (linear in the members).
// A sweep runs inside one call of the engine, so it is committed atomically with the
// checkpoint that follows it.
//
// Not thread-safe: owned by the stream's processor.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_options.h"
#include "engine/family_set.h"
#include "engine/member_table.h"

namespace segmentd {

class DailySweep {
 public:
  // Called for each ranked label that changes, in member_id then family order.
  using OnChange = std::function<void(std::string_view member_id, MemberState& member,
                                      FamilyId family, std::uint8_t to)>;

  DailySweep(const EngineOptions& options, const FamilySet& families, MemberTable& members);

  // A member made its first purchase (it joins the roster).
  void add_member(std::string_view member_id);

  // Records purchase time `ts` in `member` when `oldest_unswept` (the first midnight
  // after the clock) is not after it.
  static void note_purchase(MemberState& member, EpochMs ts, EpochMs oldest_unswept);

  // Runs the sweep at midnight `s`.
  void run(EpochMs s, const OnChange& on_change);

 private:
  struct Candidate {
    std::uint32_t roster_index;
    std::uint32_t purchases;  // before S
    EpochMs first;
    EpochMs last;
  };
  void load_roster();

  const EngineOptions& options_;
  const FamilySet& families_;
  MemberTable& members_;
  bool roster_loaded_ = false;
  std::vector<std::string> roster_;  // sorted
  std::vector<std::string> joined_;  // first purchases since the last sweep
};

}  // namespace segmentd
