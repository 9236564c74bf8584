// The enabled segment families of one engine (SPEC 5.5), split into time-driven ones
// (lifecycle, rfm, quadrant with fixed thresholds: evaluated on events and member
// timers) and ranked ones (tier, value, quadrant with medians: evaluated only in the
// daily sweep, engine/daily_sweep.h). Dispatches to each family's pure rules.
// Immutable after construction; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "engine/engine_options.h"
#include "engine/member_state.h"

namespace segmentd {

class FamilySet {
 public:
  explicit FamilySet(const EngineOptions& options);

  bool enabled(FamilyId f) const { return options_.families.has(f); }
  bool ranked(FamilyId f) const;
  bool time_driven(FamilyId f) const { return enabled(f) && !ranked(f); }
  bool any_ranked() const { return any_ranked_; }

  // The label of time-driven family `f` at instant `now`.
  std::uint8_t label_at(FamilyId f, const MemberFigures& figures, EpochMs now) const;

  // The earliest instant after `after` at which a time-driven family's label could
  // change (for quadrant, the first at which it does); nullopt when none can. The
  // member's timer: every instant it returns costs a timer fire and a record write.
  std::optional<EpochMs> next_change(const MemberFigures& figures, EpochMs after) const;

 private:
  const EngineOptions& options_;
  bool any_ranked_ = false;
};

}  // namespace segmentd
