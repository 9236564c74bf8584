#include "bench/generator/member_timeline.h"

#include <algorithm>

#include "bench/generator/rng.h"

namespace segmentd::gen {
namespace {

constexpr double kOnlineShare = 0.15;
constexpr EpochMs kMaxRefundDelay = 30 * kMsPerDay;
constexpr double kMaxGapDays = 1e6;  // keeps absurd gap scales inside int64

// A time of day (ms since local midnight): in-store between 07:30 and 21:30,
// peaking mid-afternoon (triangular), or online at any hour.
EpochMs draw_time_of_day(SplitMix64& rng) {
  if (chance(rng, kOnlineShare)) return static_cast<EpochMs>(below(rng, kMsPerDay));
  const double hours = 7.5 + 7.0 * (uniform01(rng) + uniform01(rng));
  return static_cast<EpochMs>(hours * static_cast<double>(kMsPerHour));
}

// Moves `candidate` to a shop-hours instant of the same local day, strictly after
// `after`.
EpochMs place_in_day(SplitMix64& rng, EpochMs candidate, EpochMs after, int offset_minutes) {
  const EpochMs offset = offset_minutes * kMsPerMinute;
  const EpochMs local_midnight = floor_div(candidate + offset, kMsPerDay) * kMsPerDay;
  const EpochMs placed = local_midnight + draw_time_of_day(rng) - offset;
  if (placed > after) return placed;
  return after + kMsPerMinute + static_cast<EpochMs>(below(rng, 3 * kMsPerHour));
}

EpochMs draw_gap_ms(SplitMix64& rng, const MemberProfile& p, const TimelineParams& params) {
  const double mean = static_cast<double>(p.mean_gap_days) * params.gap_scale;
  const double shape = static_cast<double>(p.gap_shape);
  const double days = std::min(gamma(rng, shape, mean / shape), kMaxGapDays);
  return std::max(kMsPerSecond, static_cast<EpochMs>(days * static_cast<double>(kMsPerDay)));
}

// The first purchase after `t` (kNever if the member never buys again).
EpochMs next_purchase_after(SplitMix64& rng, const MemberProfile& p, EpochMs t,
                            const TimelineParams& params) {
  if (p.archetype == Archetype::one_off) return kNever;
  const EpochMs gap = draw_gap_ms(rng, p, params);
  EpochMs candidate = t + gap;
  if (p.archetype == Archetype::churner && candidate >= p.phase_ts) return kNever;
  if (p.archetype == Archetype::returner && t < p.phase_ts && candidate >= p.phase_ts) {
    candidate += p.pause_days * kMsPerDay;
  }
  if (gap >= kMsPerDay) candidate = place_in_day(rng, candidate, t, p.style.utc_offset_minutes);
  return candidate < params.horizon ? candidate : kNever;
}

EpochMs first_purchase(SplitMix64& rng, const Enrolment& member, const TimelineParams& params) {
  const MemberProfile& p = member.profile;
  if (!p.existing) {
    const EpochMs after = std::max(member.join_ts - kMsPerDay, params.period_start - 1);
    return place_in_day(rng, member.join_ts, after, p.style.utc_offset_minutes);
  }
  // A member from before the period: a uniform share of one gap has already passed.
  EpochMs t =
      params.period_start -
      static_cast<EpochMs>(uniform01(rng) * static_cast<double>(draw_gap_ms(rng, p, params)));
  do {
    t = next_purchase_after(rng, p, t, params);
  } while (t < params.period_start);
  return t;
}

// A refund instant strictly between the purchase and the next one, or kNever when
// the member does not refund this purchase.
EpochMs draw_refund(SplitMix64& rng, EpochMs purchase, EpochMs next_purchase,
                    const TimelineParams& params) {
  if (!chance(rng, params.refund_probability)) return kNever;
  const EpochMs window = std::min(next_purchase - purchase, kMaxRefundDelay);
  if (window < 2 * kMsPerMinute) return kNever;
  const EpochMs refund =
      purchase + static_cast<EpochMs>(uniform(rng, 0.05, 0.95) * static_cast<double>(window));
  return refund < params.horizon ? refund : kNever;
}

}  // namespace

MemberCursor start_cursor(const Enrolment& member, std::uint64_t member_seed,
                          const TimelineParams& params) {
  SplitMix64 rng(member_seed);
  const EpochMs first = first_purchase(rng, member, params);
  const EpochMs next = first < params.horizon ? first : kNever;
  // A profile up to a week before the first purchase (or the member's join time, for one
  // who never buys); no draw at all when profiles are off, so other streams are unchanged.
  if (params.profile_probability > 0.0 && chance(rng, params.profile_probability)) {
    const EpochMs before = next != kNever ? next : member.join_ts;
    const EpochMs profile =
        std::max(params.period_start,
                 before - static_cast<EpochMs>(uniform(rng, 0.0, 7.0) * double(kMsPerDay)) - 1);
    if (profile < params.horizon && (next == kNever || profile < next)) {
      return {rng.state(), profile, next, 0, EventKind::profile};
    }
  }
  return {rng.state(), next, kNever, 0, EventKind::purchase};
}

void advance(MemberCursor& cursor, const MemberProfile& profile, const TimelineParams& params) {
  SplitMix64 rng(cursor.rng_state);
  ++cursor.index;
  if (cursor.upcoming_kind == EventKind::refund || cursor.upcoming_kind == EventKind::profile) {
    cursor.upcoming_ts = cursor.next_purchase_ts;
    cursor.upcoming_kind = EventKind::purchase;
  } else {
    const EpochMs purchase = cursor.upcoming_ts;
    const EpochMs next = next_purchase_after(rng, profile, purchase, params);
    const EpochMs refund = draw_refund(rng, purchase, next, params);
    cursor.upcoming_ts = refund != kNever ? refund : next;
    cursor.upcoming_kind = refund != kNever ? EventKind::refund : EventKind::purchase;
    cursor.next_purchase_ts = next;
  }
  cursor.rng_state = rng.state();
}

}  // namespace segmentd::gen
