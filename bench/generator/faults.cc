#include "bench/generator/faults.h"

namespace segmentd::gen {
namespace {
constexpr std::uint64_t kFaultStream = 0xfa017;
}  // namespace

FaultModel::FaultModel(const GeneratorOptions& options)
    : rng_(mix64(options.seed ^ kFaultStream)),
      broken_rate_(options.broken_rate),
      late_rate_(options.late_rate),
      dup_rate_(options.dup_rate) {}

EpochMs FaultModel::lateness() {
  const double u = uniform01(rng_);
  if (u < 0.75) return between(kMsPerMinute, kMsPerHour);
  if (u < 0.95) return between(kMsPerHour, kMsPerDay);
  return between(kMsPerDay, 7 * kMsPerDay);
}

EpochMs FaultModel::duplicate_delay() {
  if (chance(rng_, 0.8)) return between(kMsPerSecond, 2 * kMsPerMinute);
  return between(2 * kMsPerMinute, 30 * kMsPerMinute);
}

EpochMs FaultModel::between(EpochMs lo, EpochMs hi) {
  return lo + static_cast<EpochMs>(below(rng_, static_cast<std::uint64_t>(hi - lo)));
}

}  // namespace segmentd::gen
