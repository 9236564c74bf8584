#include "observability/build_info.h"

namespace segmentd {

void add_build_info(MetricsRegistry& registry, std::string version, std::string revision) {
  GaugeFamily& build_info = registry.add_gauge_family(
      "segmentd_build_info", "The running build of segmentd; the value is always 1.",
      {"version", "revision"});
  build_info.with_labels({std::move(version), std::move(revision)}).set(1);
}

}  // namespace segmentd
