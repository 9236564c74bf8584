// What one generator run produced, and its one-line JSON rendering for stderr.
// `events` counts member event lines delivered (late ones included, duplicates
// not); `late` the events delivered after a delay (so after later events);
// `members` the distinct members with at least one delivered line.
#pragma once

#include <cstdint>
#include <string>

namespace segmentd::gen {

struct GenerationSummary {
  std::uint64_t lines = 0;
  std::uint64_t events = 0;
  std::uint64_t refunds = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;
  std::uint64_t broken = 0;
  std::uint64_t members = 0;
  double gap_scale = 0.0;  // multiplier applied to every member's mean gap
};

// {"lines":..,"events":..,"members":..,"broken":..,"duplicates":..,"late":..,
//  "refunds":..,"gap_scale":..,"seconds":..,"lines_per_s":..} for a run that took
// `seconds`.
std::string format_summary(const GenerationSummary& summary, double seconds);

}  // namespace segmentd::gen
