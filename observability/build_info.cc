#include "observability/build_info.h"

namespace segmentd {

void add_build_info(MetricsRegistry& registry, std::string version) {
  GaugeFamily& build_info = registry.add_gauge_family(
      "segmentd_build_info", "The running build of segmentd; the value is always 1.", {"version"});
  build_info.with_labels({std::move(version)}).set(1);
}

}  // namespace segmentd
