// segmentd_build_info{version="...",revision="..."} 1: the conventional gauge that
// tells which build is running (SPEC 8). `revision` is the git commit the binary was
// built from ("unknown" outside a git checkout). Declares the family in the registry;
// call once per registry. Thread-safety: as MetricsRegistry.
#pragma once

#include <string>

#include "observability/metrics_registry.h"

namespace segmentd {

void add_build_info(MetricsRegistry& registry, std::string version, std::string revision);

}  // namespace segmentd
