// A one-line progress display on stderr for long replays on a terminal: lines read,
// events per second, transitions so far. Redraws at most four times a second.
// Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

#include "app/replay_position.h"
#include "engine/stream_stats.h"

namespace segmentd {

class ProgressMeter {
 public:
  void update(const ReplayPosition& position, const ProcessorCheckpoint& processor);
  // Clears the progress line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_draw_{};
  std::uint64_t lines_at_start_ = UINT64_MAX;
  bool drawn_ = false;
};

}  // namespace segmentd
