// The metrics every segmentd command that serves HTTP exports besides its own:
// segmentd_build_info (build_info.h), the process_* set (process_metrics.h) and
// segmentd_ready, 1 while /readyz answers 200 and 0 otherwise (the "not ready" alert).
//
// Ownership: the returned registrations keep the callback families registered; they
// must not outlive `registry` or `readiness`. Thread-safety: as MetricsRegistry.
#pragma once

#include <string>
#include <vector>

#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {

std::vector<CallbackRegistration> add_standard_metrics(MetricsRegistry& registry,
                                                       const Readiness& readiness,
                                                       std::string version, std::string revision);

}  // namespace segmentd
