// The metrics of one process and their rendering in the Prometheus text exposition
// format 0.0.4 (SPEC 8), as served on GET /metrics.
//
// Families are declared once, with HELP text and label names, usually at start-up;
// the engine then takes one cell per series (family.with_labels(...)) and updates it
// lock-free on its hot path, while the HTTP thread renders. Output is deterministic:
// families sorted by name, series by label values.
//
// Naming: callers pass full names, prefixed "segmentd_" (SPEC 8; not enforced here);
// counters end in "_total" (enforced); durations are histograms in seconds.
// Declaring an invalid or already used name throws std::invalid_argument: a
// programming error, found by the first test that builds the metrics.
//
// Ownership: the registry owns families and cells; references to them stay valid for
// its lifetime. Thread-safety: every member function may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "observability/callback_family.h"
#include "observability/metric_families.h"

namespace segmentd {

class MetricsRegistry;

// Keeps a callback family registered; destroying it (or reset()) removes the family,
// waiting for a scrape that is calling it. Must not outlive its registry.
class [[nodiscard]] CallbackRegistration {
 public:
  CallbackRegistration() = default;
  CallbackRegistration(CallbackRegistration&& other) noexcept;
  CallbackRegistration& operator=(CallbackRegistration&& other) noexcept;
  ~CallbackRegistration() { reset(); }

  void reset();

 private:
  friend class MetricsRegistry;
  CallbackRegistration(MetricsRegistry& registry, std::string name)
      : registry_(&registry), name_(std::move(name)) {}

  MetricsRegistry* registry_ = nullptr;
  std::string name_;
};

class MetricsRegistry {
 public:
  CounterFamily& add_counter_family(std::string name, std::string help,
                                    std::vector<std::string> label_names);
  // See GaugeFamily for fraction_digits (fixed-point values).
  GaugeFamily& add_gauge_family(std::string name, std::string help,
                                std::vector<std::string> label_names, unsigned fraction_digits = 0);
  HistogramFamily& add_histogram_family(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<std::chrono::nanoseconds> upper_bounds);
  // `type` is counter or gauge; see CallbackFamily for what the callback may do.
  CallbackRegistration add_callback_family(std::string name, std::string help, MetricType type,
                                           std::vector<std::string> label_names,
                                           ScrapeCallback callback);

  // The whole exposition. Throws what a callback family throws.
  std::string render() const;

 private:
  friend class CallbackRegistration;

  template <typename Family>
  Family& add(std::unique_ptr<Family> family);
  void remove(const std::string& name);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<MetricFamily>, std::less<>> families_;
};

}  // namespace segmentd
