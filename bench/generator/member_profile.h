// Behaviour archetypes of synthetic members and the immutable profile drawn for
// each member (SPEC 2 input stream realism; nothing here is engine logic).
//
//   one_off     joins during the period, buys once, never returns.
//   occasional  memoryless (exponential) gaps around a long mean (45-240 days).
//   regular     steady gamma gaps (shape 2-6) around a member mean of 3-60 days.
//   churner     a regular who stops for good at a random instant.
//   returner    a regular who pauses for 120-400 days once, then resumes.
// Non-one-off members either exist before the period (`existing`: their first
// purchase falls a residual gap after the start) or join at a uniform instant of
// the period. Gaps are in days *before* the stream-wide gap scale is applied, so the
// same profiles serve any requested event count.
//
// draw_member consumes `rng` deterministically; expected_purchases gives the
// expected purchase count inside the period as fixed + gap_days_ratio / gap_scale,
// which calibrates the gap scale. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "bench/generator/civil_time.h"
#include "bench/generator/rng.h"

namespace segmentd::gen {

enum class Archetype : std::uint8_t { one_off, occasional, regular, churner, returner };

std::string_view archetype_name(Archetype archetype);

struct Period {
  EpochMs start;
  EpochMs end;  // exclusive
};

// What a member's purchases look like (as opposed to when they happen): all that
// rendering an event needs from the profile.
struct ShoppingStyle {
  float basket_median;  // typical basket, currency units
  std::uint32_t home_store;
  std::int16_t utc_offset_minutes;  // of the home store
};

// What drives a member's events once it is under way (32 bytes, so that it shares
// a cache line with the member's cursor).
struct MemberProfile {
  EpochMs phase_ts;     // churner: stops at; returner: pause begins at; else unused
  float mean_gap_days;  // unscaled mean gap between purchases
  float gap_shape;      // gamma shape >= 1: 1 = memoryless, higher = steadier
  ShoppingStyle style;
  std::uint16_t pause_days;  // returner only
  Archetype archetype;
  bool existing;
};

// A member as drawn: its profile and when it joined (existing members: the period
// start; joiners: their first purchase, before shop-hour placement).
struct Enrolment {
  MemberProfile profile;
  EpochMs join_ts;
};

// `force_regular`: make this member a never-stopping existing regular (the
// generator forces one so the stream can always reach the requested length).
Enrolment draw_member(SplitMix64& rng, const Period& period, std::uint32_t store_count,
                      bool force_regular);

struct ExpectedPurchases {
  double fixed;           // purchases independent of the gap scale
  double gap_days_ratio;  // active days / unscaled mean gap
};
ExpectedPurchases expected_purchases(const Enrolment& member, const Period& period);

// UTC offset (minutes) of a store's time zone: most stores in one region (CET/CEST,
// UTC), a few abroad. Deterministic in `store`.
std::int16_t store_utc_offset(std::uint32_t store);

}  // namespace segmentd::gen
