// Appends the lines of one run, in output order: member event lines (on time,
// late, or a duplicate of an earlier line) and broken lines. Each becomes a line
// job for the renderer (with the member's shopping style looked up from the
// population); a broken line is also recorded in the
// manifest as {"line":N,"reason":"...","template":"..."} with N its 1-based output
// line number. Keeps the run's summary counters. Broken lines draw their random
// choices from the emitter's own xoshiro256** stream (seeded from the run's seed),
// independent of every other decision. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/generator/civil_time.h"
#include "bench/generator/member_timeline.h"
#include "bench/generator/options.h"
#include "bench/generator/output_file.h"
#include "bench/generator/parallel_renderer.h"
#include "bench/generator/population.h"
#include "bench/generator/rng.h"
#include "bench/generator/summary.h"

namespace segmentd::gen {

enum class Delivery { on_time, late, duplicate };

class Emitter {
 public:
  // `manifest` may be null.
  Emitter(const GeneratorOptions& options, const Population& population, ParallelRenderer& lines,
          OutputFile* manifest);

  std::uint64_t lines() const { return summary_.lines; }
  void event_line(const MemberEvent& event, Delivery delivery);
  // A broken line whose ts (when it has a valid one) is `now`.
  void broken_line(EpochMs now);
  const GenerationSummary& summary() const { return summary_; }

 private:
  void record_manifest(const BrokenLineSpec& spec);

  const Population& population_;
  ParallelRenderer& lines_;
  OutputFile* manifest_;
  Xoshiro256ss broken_rng_;
  std::uint32_t members_;
  std::vector<bool> seen_members_;
  std::string manifest_line_;
  GenerationSummary summary_;
};

}  // namespace segmentd::gen
