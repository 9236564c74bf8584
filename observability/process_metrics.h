// The conventional process_* metrics (prometheus-cpp core has none): CPU seconds,
// resident and virtual memory, open and maximum file descriptors and start time, read
// from /proc/self at each scrape (Linux). parse_proc_stat() is the pure part.
//
// Thread-safety: the callbacks only read /proc; registration as MetricsRegistry.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "observability/metrics_registry.h"

namespace segmentd {

struct ProcessFigures {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // since the Unix epoch
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
};

// From the text of /proc/self/stat; empty when it does not parse. `boot_time_seconds`
// is the btime line of /proc/stat.
std::optional<ProcessFigures> parse_proc_stat(std::string_view stat, double ticks_per_second,
                                              double page_bytes, double boot_time_seconds);

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. A figure that cannot be read is left out of the scrape.
std::vector<CallbackRegistration> add_process_metrics(MetricsRegistry& registry);

}  // namespace segmentd
