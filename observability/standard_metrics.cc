#include "observability/standard_metrics.h"

#include "observability/build_info.h"
#include "observability/process_metrics.h"

namespace segmentd {

std::vector<CallbackRegistration> add_standard_metrics(MetricsRegistry& registry,
                                                       const Readiness& readiness,
                                                       std::string version, std::string revision) {
  add_build_info(registry, std::move(version), std::move(revision));
  std::vector<CallbackRegistration> added = add_process_metrics(registry);
  added.push_back(registry.add_callback_family(
      "segmentd_ready", "1 while the process is ready (GET /readyz answers 200), else 0.",
      MetricType::gauge, {}, [&readiness] {
        return std::vector<CallbackSample>{{{}, readiness.not_ready_reason() ? 0.0 : 1.0}};
      }));
  return added;
}

}  // namespace segmentd
