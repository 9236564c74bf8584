// Why a member has its labels (GET /members/{id}, `segmentd replay --explain`): per
// enabled family the label it holds and a short text of the rule that put it there,
// e.g. "d = 95d >= lifecycle.dormant_after 90d", its pending timer and the label
// changes that timer would bring, and its last transition `seq`.
//
// Time-driven families (lifecycle, rfm, quadrant with fixed thresholds) are explained
// from the member's figures at the stream clock `now`; ranked ones (tier, value,
// quadrant with medians) are decided by the daily sweep over all members, so only the
// rule is named. Pure function of its arguments (standard library only); thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_options.h"
#include "engine/member_state.h"

namespace segmentd {

struct FamilyExplanation {
  std::string family;
  std::string label;
  std::string rule;
};

struct LabelChange {
  std::string family;
  std::string from;
  std::string to;
};

struct MemberExplanation {
  std::string member_id;
  bool known = false;  // false: the member has no state (never seen)
  MemberFigures figures;
  std::uint64_t seq = 0;
  EpochMs now{};                            // the stream clock the explanation is for
  std::vector<FamilyExplanation> families;  // enabled families, in emission order
  std::optional<EpochMs> timer;             // the member's pending timer
  std::vector<LabelChange> timer_brings;    // label changes when the timer fires
  std::vector<PendingAction> pending_actions;
};

MemberExplanation explain_member(std::string_view member_id, const MemberState& member,
                                 const EngineOptions& options, EpochMs now);

// "95d", "12.5d" (tenths, rounded down) or "36h" below one day: how rule texts show
// durations.
std::string format_duration(DurationMs duration);

}  // namespace segmentd
