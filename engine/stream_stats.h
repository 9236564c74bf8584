// Counters and clock of one input stream (a Kafka partition, or the whole replay
// file): what the summary and metrics report, and what a checkpoint persists so that
// figures stay exact across restarts. Plain values.
#pragma once

#include <array>
#include <cstdint>

#include "engine/lifecycle.h"
#include "engine/units.h"

namespace segmentd {

struct StreamStats {
  std::uint64_t events_applied = 0;     // purchases and refunds that changed figures
  std::uint64_t events_duplicate = 0;   // dropped by the dedupe window (SPEC 5.3)
  std::uint64_t events_late = 0;        // accepted with ts older than the clock
  std::uint64_t timers_fired = 0;
  std::uint64_t transitions = 0;
  // lifecycle_transitions[from][to]
  std::array<std::array<std::uint64_t, kLifecycleLabelCount>, kLifecycleLabelCount>
      lifecycle_transitions{};
  // Members currently in each lifecycle label (a gauge; members seen at least once).
  std::array<std::int64_t, kLifecycleLabelCount> members_per_lifecycle{};
  bool operator==(const StreamStats&) const = default;
};

// The stream's clock (SPEC 4). Before the first accepted event there is no clock.
struct StreamClock {
  bool started = false;
  EpochMs clock{};           // max(ts) - allowed_lateness, never decreasing
  EpochMs max_event_ts{};    // largest ts of any accepted event
  bool operator==(const StreamClock&) const = default;
};

// Everything the processor needs, besides members and timers, to resume exactly.
struct ProcessorCheckpoint {
  StreamClock clock;
  StreamStats stats;
  bool operator==(const ProcessorCheckpoint&) const = default;
};

}  // namespace segmentd
