// Stream-wide disorder decisions of one run, drawn from a single xoshiro256**
// stream seeded from the run's seed: which lines are broken, which events are
// delivered late and by how much, which lines are delivered twice and how much
// later. The same seed and call sequence give the same decisions. Not thread-safe.
//
// Lateness: 75 % between 1 and 60 minutes, 20 % between 1 and 24 hours, 5 %
// between 1 and 7 days. Duplicate delay: 80 % between 1 second and 2 minutes,
// 20 % between 2 and 30 minutes.
#pragma once

#include "bench/generator/civil_time.h"
#include "bench/generator/options.h"
#include "bench/generator/rng.h"

namespace segmentd::gen {

class FaultModel {
 public:
  explicit FaultModel(const GeneratorOptions& options);

  bool broken_line() { return chance(rng_, broken_rate_); }
  bool late() { return chance(rng_, late_rate_); }
  bool duplicate() { return chance(rng_, dup_rate_); }
  EpochMs lateness();
  EpochMs duplicate_delay();

 private:
  EpochMs between(EpochMs lo, EpochMs hi);

  Xoshiro256ss rng_;
  double broken_rate_;
  double late_rate_;
  double dup_rate_;
};

}  // namespace segmentd::gen
