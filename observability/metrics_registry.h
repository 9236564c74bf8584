// The metrics of one process, kept in a prometheus-cpp Registry plus callback
// collectables, and rendered with prometheus::TextSerializer (text format 0.0.4,
// SPEC 8) as served on GET /metrics.
//
// Families are declared once, with HELP text and label names, usually at start-up;
// the engine then takes one cell per series (family.with_labels(...)) and updates it
// lock-free on its hot path, while the HTTP thread renders. Output is deterministic:
// families sorted by name, series by labels.
//
// Naming: callers pass full names, prefixed "segmentd_" (SPEC 8; not enforced here),
// or the conventional "process_" names; counters end in "_total" (enforced);
// durations are histograms in seconds. Declaring an invalid or already used name, a
// histogram label named "le", or HELP text with a backslash or newline (prometheus-cpp
// 1.0 does not escape HELP), throws std::invalid_argument: a programming error,
// found by the first test that builds the metrics.
//
// Ownership: the registry owns families and cells; references to them stay valid for
// its lifetime. Thread-safety: every member function may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "observability/callback_family.h"
#include "observability/metric_families.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace segmentd {

class MetricsRegistry;
class CallbackCollectable;

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
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  CounterFamily& add_counter_family(std::string name, std::string help,
                                    std::vector<std::string> label_names);
  // See GaugeFamily for fraction_digits (fixed-point values, 0 to 9).
  GaugeFamily& add_gauge_family(std::string name, std::string help,
                                std::vector<std::string> label_names, unsigned fraction_digits = 0);
  // `upper_bounds` are non-negative and strictly increasing.
  HistogramFamily& add_histogram_family(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<std::chrono::nanoseconds> upper_bounds);
  // See callback_family.h for what the callback may do.
  CallbackRegistration add_callback_family(std::string name, std::string help, MetricType type,
                                           std::vector<std::string> label_names,
                                           ScrapeCallback callback);

  // The whole exposition. Throws what a callback family throws.
  std::string render() const;

 private:
  friend class CallbackRegistration;

  // Checks the names and reserves `name`; throws std::invalid_argument.
  void claim_name(const std::string& name, const std::string& help, bool counter,
                  const std::vector<std::string>& label_names);
  void remove(const std::string& name);

  mutable std::mutex mutex_;  // guards names_, the wrappers and callbacks_
  std::shared_ptr<prometheus::Registry> registry_;
  std::set<std::string, std::less<>> names_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<GaugeFamily>> gauges_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::map<std::string, std::unique_ptr<CallbackCollectable>> callbacks_;
};

}  // namespace segmentd
