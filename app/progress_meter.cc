#include "app/progress_meter.h"

#include <cstdio>

namespace segmentd {

void ProgressMeter::update(const ReplayPosition& position, const ProcessorCheckpoint& processor) {
  const auto now = Clock::now();
  if (lines_at_start_ == UINT64_MAX) lines_at_start_ = position.lines;
  if (now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate =
      seconds > 0 ? static_cast<double>(position.lines - lines_at_start_) / seconds : 0;
  std::fprintf(stderr, "\r  %12llu lines  %8.0f lines/s  %12llu transitions  %10llu rejected ",
               static_cast<unsigned long long>(position.lines), rate,
               static_cast<unsigned long long>(processor.stats.transitions),
               static_cast<unsigned long long>(position.rejected_total()));
  drawn_ = true;
}

void ProgressMeter::finish() {
  if (drawn_) std::fprintf(stderr, "\r%90s\r", "");
}

}  // namespace segmentd
