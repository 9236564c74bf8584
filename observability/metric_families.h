// The families of hot-path cells: counters, fixed-point gauges and duration
// histograms, each backed by a prometheus::Family. Create them through
// MetricsRegistry, then take a cell per series:
//
//   CounterFamily& rejected = registry.add_counter_family(
//       "segmentd_events_rejected_total", "Events rejected, by reason.", {"reason"});
//   Counter& bad_json = rejected.with_labels({"bad_json"});  // once, at start-up
//   bad_json.increment();                                    // hot path, lock-free
//
// Ownership: families are created and owned by a MetricsRegistry, and own their cells.
// Thread-safety: with_labels() may be called from any thread, also while the registry
// renders; it takes a lock, so call it once per series and keep the cell.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "observability/metric_cells.h"

namespace prometheus {
template <typename T>
class Family;
}  // namespace prometheus

namespace segmentd {

template <typename Cell>
class LabeledFamily {
 public:
  virtual ~LabeledFamily() = default;
  LabeledFamily(const LabeledFamily&) = delete;
  LabeledFamily& operator=(const LabeledFamily&) = delete;

  const std::vector<std::string>& label_names() const { return label_names_; }

  // The child for these label values (one per label name, in order), created at zero
  // on first use. Throws std::invalid_argument on a wrong number of values.
  Cell& with_labels(std::vector<std::string> label_values) {
    check_label_count(label_values.size());
    std::lock_guard lock(mutex_);
    std::unique_ptr<Cell>& cell = cells_[label_values];
    if (!cell) cell = make_cell(label_values);
    return *cell;
  }

 protected:
  explicit LabeledFamily(std::vector<std::string> label_names)
      : label_names_(std::move(label_names)) {}

 private:
  void check_label_count(std::size_t value_count) const;
  virtual std::unique_ptr<Cell> make_cell(const std::vector<std::string>& label_values) = 0;

  std::vector<std::string> label_names_;
  std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> cells_;
};

class CounterFamily final : public LabeledFamily<Counter> {
 public:
  CounterFamily(prometheus::Family<prometheus::Counter>& family,
                std::vector<std::string> label_names)
      : LabeledFamily(std::move(label_names)), family_(family) {}

 private:
  std::unique_ptr<Counter> make_cell(const std::vector<std::string>& label_values) override;

  prometheus::Family<prometheus::Counter>& family_;
};

class GaugeFamily final : public LabeledFamily<Gauge> {
 public:
  // Gauge values are integers shown divided by 10^fraction_digits.
  GaugeFamily(prometheus::Family<prometheus::Gauge>& family, std::vector<std::string> label_names,
              unsigned fraction_digits);

 private:
  std::unique_ptr<Gauge> make_cell(const std::vector<std::string>& label_values) override;

  prometheus::Family<prometheus::Gauge>& family_;
  double divisor_;
};

class HistogramFamily final : public LabeledFamily<Histogram> {
 public:
  // `upper_bounds` are strictly increasing; shown in seconds; +Inf is implicit.
  HistogramFamily(prometheus::Family<prometheus::Histogram>& family,
                  std::vector<std::string> label_names,
                  std::vector<std::chrono::nanoseconds> upper_bounds);

 private:
  std::unique_ptr<Histogram> make_cell(const std::vector<std::string>& label_values) override;

  prometheus::Family<prometheus::Histogram>& family_;
  std::vector<double> upper_bounds_seconds_;
};

}  // namespace segmentd
