#include "bench/generator/member_profile.h"

#include <algorithm>

namespace segmentd::gen {
namespace {

// Archetype mix, cumulative: 25 % one-off, 25 % occasional, 25 % regular,
// 15 % churner, 10 % returner.
constexpr double kCumulativeMix[] = {0.25, 0.50, 0.75, 0.90, 1.00};
constexpr double kExistingShare = 0.5;  // of non-one-off members

Archetype draw_archetype(SplitMix64& rng) {
  const double u = uniform01(rng);
  int index = 0;
  while (u >= kCumulativeMix[index]) ++index;
  return static_cast<Archetype>(index);
}

void draw_gaps(SplitMix64& rng, MemberProfile& p) {
  if (p.archetype == Archetype::occasional) {
    p.mean_gap_days = static_cast<float>(log_uniform(rng, 45.0, 240.0));
    p.gap_shape = 1.0F;
  } else {
    p.mean_gap_days = static_cast<float>(log_uniform(rng, 3.0, 60.0));
    p.gap_shape = static_cast<float>(uniform(rng, 2.0, 6.0));
  }
}

EpochMs at_fraction(EpochMs from, EpochMs to, double fraction) {
  return from + static_cast<EpochMs>(static_cast<double>(to - from) * fraction);
}

void draw_phase(SplitMix64& rng, const Period& period, EpochMs join_ts, MemberProfile& p) {
  const EpochMs from = p.existing ? period.start : join_ts;
  if (p.archetype == Archetype::churner) {
    p.phase_ts = at_fraction(from, period.end, uniform(rng, 0.1, 1.2));
  } else if (p.archetype == Archetype::returner) {
    p.phase_ts = at_fraction(from, period.end, uniform(rng, 0.1, 0.7));
    p.pause_days = static_cast<std::uint16_t>(uniform(rng, 120.0, 400.0));
  }
}

double days_between(EpochMs from, EpochMs to) {
  return to > from ? static_cast<double>(to - from) / static_cast<double>(kMsPerDay) : 0.0;
}

}  // namespace

std::string_view archetype_name(Archetype archetype) {
  switch (archetype) {
    case Archetype::one_off:
      return "one_off";
    case Archetype::occasional:
      return "occasional";
    case Archetype::regular:
      return "regular";
    case Archetype::churner:
      return "churner";
    case Archetype::returner:
      return "returner";
  }
  return "unknown";
}

Enrolment draw_member(SplitMix64& rng, const Period& period, std::uint32_t store_count,
                      bool force_regular) {
  MemberProfile p{};
  p.archetype = force_regular ? Archetype::regular : draw_archetype(rng);
  p.existing = force_regular || (p.archetype != Archetype::one_off && chance(rng, kExistingShare));
  const EpochMs join_ts =
      p.existing ? period.start : at_fraction(period.start, period.end, uniform01(rng));
  draw_gaps(rng, p);
  draw_phase(rng, period, join_ts, p);
  p.style.basket_median = static_cast<float>(std::clamp(lognormal(rng, 35.0, 0.6), 5.0, 400.0));
  p.style.home_store = static_cast<std::uint32_t>(below(rng, store_count));
  p.style.utc_offset_minutes = store_utc_offset(p.style.home_store);
  return {p, join_ts};
}

ExpectedPurchases expected_purchases(const Enrolment& member, const Period& period) {
  const MemberProfile& p = member.profile;
  const double fixed = p.existing ? 0.0 : 1.0;
  if (p.archetype == Archetype::one_off) return {1.0, 0.0};
  double active = days_between(member.join_ts, period.end);
  if (p.archetype == Archetype::churner) {
    active = days_between(member.join_ts, std::min(p.phase_ts, period.end));
  }
  if (p.archetype == Archetype::returner && p.phase_ts < period.end) {
    active = std::max(0.0, active - static_cast<double>(p.pause_days));
  }
  return {fixed, active / static_cast<double>(p.mean_gap_days)};
}

std::int16_t store_utc_offset(std::uint32_t store) {
  const std::uint64_t h = mix64(store + 0x5354'4f52'4500ULL) % 100;
  if (h < 55) return 60;    // CET
  if (h < 80) return 120;   // CEST-style
  if (h < 92) return 0;     // UTC
  if (h < 97) return -300;  // US East
  return 330;               // India
}

}  // namespace segmentd::gen
