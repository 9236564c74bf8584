// A metric family: one metric name with its HELP and TYPE lines, and its series, one
// per distinct tuple of label values (the family's "children"). The families that
// hold hot-path cells derive from LabeledFamily; CallbackFamily asks a function at
// scrape time instead.
//
// Rendering order is deterministic: series sorted by their label values.
// Ownership: families are created and owned by a MetricsRegistry.
// Thread-safety: with_labels() and render() may be called from any thread at the same
// time; with_labels() takes a lock, so call it once per series and keep the cell.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace segmentd {

enum class MetricType { counter, gauge, histogram };

class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends the HELP and TYPE lines, then one line per sample.
  void render(std::string& out) const;

 protected:
  // Throws std::invalid_argument for an invalid metric or label name, a repeated label
  // name, or a counter name that does not end in "_total".
  MetricFamily(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names);

  // Appends "<name><name_suffix>{labels} " for the given label values, plus an extra
  // label when extra_name is not empty; the caller appends the value and '\n'.
  void append_sample_start(std::string& out, std::string_view name_suffix,
                           std::span<const std::string> label_values,
                           std::string_view extra_name = {},
                           std::string_view extra_value = {}) const;

  // Throws std::invalid_argument unless there is one value per label name.
  void check_label_count(std::size_t value_count) const;

 private:
  virtual void render_samples(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// A family whose children are cells (Counter, Gauge, Histogram) the engine updates.
template <typename Cell>
class LabeledFamily : public MetricFamily {
 public:
  // The child for these label values (one per label name, in order), created at zero
  // on first use. Throws std::invalid_argument on a wrong number of values.
  Cell& with_labels(std::vector<std::string> label_values) {
    check_label_count(label_values.size());
    std::lock_guard lock(mutex_);
    std::unique_ptr<Cell>& cell = cells_[std::move(label_values)];
    if (!cell) cell = make_cell();
    return *cell;
  }

 protected:
  using MetricFamily::MetricFamily;

 private:
  virtual std::unique_ptr<Cell> make_cell() const = 0;
  virtual void render_cell(std::string& out, std::span<const std::string> label_values,
                           const Cell& cell) const = 0;

  void render_samples(std::string& out) const final {
    std::lock_guard lock(mutex_);
    for (const auto& [label_values, cell] : cells_) render_cell(out, label_values, *cell);
  }

  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> cells_;
};

}  // namespace segmentd
