#include "observability/metric_families.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <stdexcept>

namespace segmentd {

namespace {

prometheus::Labels labels_of(const std::vector<std::string>& names,
                             const std::vector<std::string>& values) {
  prometheus::Labels labels;
  for (std::size_t i = 0; i < names.size(); ++i) labels.emplace(names[i], values[i]);
  return labels;
}

}  // namespace

template <typename Cell>
void LabeledFamily<Cell>::check_label_count(std::size_t value_count) const {
  if (value_count != label_names_.size()) {
    throw std::invalid_argument("expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(value_count));
  }
}

template class LabeledFamily<Counter>;
template class LabeledFamily<Gauge>;
template class LabeledFamily<Histogram>;

std::unique_ptr<Counter> CounterFamily::make_cell(const std::vector<std::string>& label_values) {
  return std::make_unique<Counter>(family_.Add(labels_of(label_names(), label_values)));
}

GaugeFamily::GaugeFamily(prometheus::Family<prometheus::Gauge>& family,
                         std::vector<std::string> label_names, unsigned fraction_digits)
    : LabeledFamily(std::move(label_names)), family_(family), divisor_(1) {
  for (unsigned i = 0; i < fraction_digits; ++i) divisor_ *= 10;
}

std::unique_ptr<Gauge> GaugeFamily::make_cell(const std::vector<std::string>& label_values) {
  return std::make_unique<Gauge>(family_.Add(labels_of(label_names(), label_values)), divisor_);
}

HistogramFamily::HistogramFamily(prometheus::Family<prometheus::Histogram>& family,
                                 std::vector<std::string> label_names,
                                 std::vector<std::chrono::nanoseconds> upper_bounds)
    : LabeledFamily(std::move(label_names)), family_(family) {
  for (const auto bound : upper_bounds) {
    upper_bounds_seconds_.push_back(std::chrono::duration<double>(bound).count());
  }
}

std::unique_ptr<Histogram> HistogramFamily::make_cell(
    const std::vector<std::string>& label_values) {
  return std::make_unique<Histogram>(
      family_.Add(labels_of(label_names(), label_values), upper_bounds_seconds_));
}

}  // namespace segmentd
