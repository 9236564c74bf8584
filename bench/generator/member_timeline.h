// One member's event sequence in time: purchases following its profile, each
// followed with some probability by a refund before the next purchase.
//
// A MemberCursor holds the member's upcoming event (time, kind, per-member index)
// and advances one event at a time, drawing from its own SplitMix64 stream, so a
// member's sequence depends only on (seed, member) and not on how members are
// interleaved. Guarantees, per member:
//   - event times strictly increase; the index counts events from 0;
//   - a refund always directly follows the purchase it refunds (index - 1);
//   - no event at or after `horizon` (the cursor is then finished).
// Purchases land in shop hours of the member's local time when the gap is a day or
// more (most in-store, some online at any hour). Pure functions on the cursor.
#pragma once

#include <cstdint>
#include <limits>

#include "bench/generator/civil_time.h"
#include "bench/generator/member_profile.h"

namespace segmentd::gen {

enum class EventKind : std::uint8_t { purchase, refund, profile };

constexpr EpochMs kNever = std::numeric_limits<EpochMs>::max();

// One event of one member: who, which of its events, when, what.
struct MemberEvent {
  std::uint32_t member;
  std::uint32_t index;
  EpochMs ts;
  EventKind kind;
};

struct TimelineParams {
  EpochMs period_start;
  EpochMs horizon;             // exclusive upper bound of every event time
  double gap_scale;            // multiplies every profile's mean gap
  double refund_probability;   // per purchase
  double profile_probability;  // per member: its first event is a profile
};

struct MemberCursor {
  std::uint64_t rng_state;
  EpochMs upcoming_ts;       // kNever: finished
  EpochMs next_purchase_ts;  // after a pending refund
  std::uint32_t index;       // per-member index of the upcoming event
  EventKind upcoming_kind;

  bool finished() const { return upcoming_ts == kNever; }
};

MemberCursor start_cursor(const Enrolment& member, std::uint64_t member_seed,
                          const TimelineParams& params);

// Consumes the upcoming event and schedules the next one. Requires !finished().
void advance(MemberCursor& cursor, const MemberProfile& profile, const TimelineParams& params);

}  // namespace segmentd::gen
