// The families of hot-path cells: counters, fixed-point gauges and duration
// histograms. Create them through MetricsRegistry, then take a cell per series:
//
//   CounterFamily& rejected = registry.add_counter_family(
//       "segmentd_events_rejected_total", "Events rejected, by reason.", {"reason"});
//   Counter& bad_json = rejected.with_labels({"bad_json"});  // once, at start-up
//   bad_json.increment();                                    // hot path, lock-free
//
// Ownership and thread-safety: as MetricFamily (metric_family.h).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "observability/metric_cells.h"
#include "observability/metric_family.h"

namespace segmentd {

class CounterFamily final : public LabeledFamily<Counter> {
 public:
  // The name must end in "_total".
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);

 private:
  std::unique_ptr<Counter> make_cell() const override;
  void render_cell(std::string& out, std::span<const std::string> label_values,
                   const Counter& cell) const override;
};

class GaugeFamily final : public LabeledFamily<Gauge> {
 public:
  // Gauge values are integers rendered with `fraction_digits` decimals (0 to 9).
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
              unsigned fraction_digits);

 private:
  std::unique_ptr<Gauge> make_cell() const override;
  void render_cell(std::string& out, std::span<const std::string> label_values,
                   const Gauge& cell) const override;

  unsigned fraction_digits_;
};

class HistogramFamily final : public LabeledFamily<Histogram> {
 public:
  // `upper_bounds` are non-negative and strictly increasing; the +Inf bucket is
  // implicit. The name should end in "_seconds": bounds and sum are shown in seconds.
  // No label may be named "le".
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<std::chrono::nanoseconds> upper_bounds);

 private:
  std::unique_ptr<Histogram> make_cell() const override;
  void render_cell(std::string& out, std::span<const std::string> label_values,
                   const Histogram& cell) const override;

  std::vector<std::chrono::nanoseconds> upper_bounds_;
  std::vector<std::string> upper_bound_texts_;  // "0.005", ..., "+Inf"
};

}  // namespace segmentd
