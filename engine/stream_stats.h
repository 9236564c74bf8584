// Counters and clock of one input stream (a Kafka partition, or the whole replay
// file): what the summary and metrics report, and what a checkpoint persists so that
// figures stay exact across restarts. Plain values.
#pragma once

#include <array>
#include <cstdint>

#include "engine/families/family_rules.h"
#include "engine/units.h"

namespace segmentd {

// One family's counters; labels are indexes of family_labels().
struct FamilyCounts {
  // transitions[from * kMaxFamilyLabels + to]. The diagonal (from == to) counts
  // impossible transitions: asked for, refused, never emitted.
  std::array<std::uint64_t, kMaxFamilyLabels * kMaxFamilyLabels> transitions{};
  // Members currently in each label (a gauge; members seen while the family was enabled).
  std::array<std::int64_t, kMaxFamilyLabels> members{};

  std::uint64_t transitions_between(std::size_t from, std::size_t to) const {
    return transitions[from * kMaxFamilyLabels + to];
  }
  bool operator==(const FamilyCounts&) const = default;
};

struct StreamStats {
  std::uint64_t events_applied = 0;    // purchases, refunds and profiles applied
  std::uint64_t events_duplicate = 0;  // dropped by the dedupe window (SPEC 5.3)
  std::uint64_t events_late = 0;       // accepted with ts older than the clock
  std::uint64_t timers_fired = 0;
  std::uint64_t transitions = 0;                      // all families
  std::uint64_t actions = 0;                          // member actions emitted
  std::uint64_t sweeps = 0;                           // daily sweeps run (SPEC 5.6)
  std::array<FamilyCounts, kFamilyCount> families{};  // per FamilyId

  FamilyCounts& family(FamilyId f) { return families[static_cast<std::size_t>(f)]; }
  const FamilyCounts& family(FamilyId f) const { return families[static_cast<std::size_t>(f)]; }
  bool operator==(const StreamStats&) const = default;
};

// The stream's clock (SPEC 4). Before the first accepted event there is no clock.
struct StreamClock {
  bool started = false;
  EpochMs clock{};         // max(ts) - allowed_lateness, never decreasing
  EpochMs max_event_ts{};  // largest ts of any accepted event
  bool operator==(const StreamClock&) const = default;
};

// Everything the processor needs, besides members and timers, to resume exactly.
// `utc_offset` is the time.utc_offset the per-day figures were made with (SPEC 4).
struct ProcessorCheckpoint {
  StreamClock clock;
  StreamStats stats;
  DurationMs utc_offset{0};
  bool operator==(const ProcessorCheckpoint&) const = default;
};

}  // namespace segmentd
