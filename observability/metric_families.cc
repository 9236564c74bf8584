#include "observability/metric_families.h"

#include <algorithm>
#include <stdexcept>

#include "observability/prometheus_text.h"

namespace segmentd {

namespace {

constexpr unsigned kNanosecondDigits = 9;
constexpr unsigned kMaxGaugeFractionDigits = 9;

void check_upper_bounds(const std::string& name,
                        const std::vector<std::chrono::nanoseconds>& upper_bounds) {
  const bool negative = !upper_bounds.empty() && upper_bounds.front().count() < 0;
  const bool increasing =
      std::adjacent_find(upper_bounds.begin(), upper_bounds.end(), [](auto lower, auto upper) {
        return lower >= upper;
      }) == upper_bounds.end();
  if (negative || !increasing) {
    throw std::invalid_argument("histogram bounds must be non-negative and increasing: " + name);
  }
}

std::vector<std::string> render_upper_bounds(
    const std::vector<std::chrono::nanoseconds>& upper_bounds) {
  std::vector<std::string> texts;
  for (const auto bound : upper_bounds) {
    std::string text;
    prometheus_text::append_fixed_point(text, bound.count(), kNanosecondDigits);
    texts.push_back(std::move(text));
  }
  texts.emplace_back("+Inf");
  return texts;
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : LabeledFamily(std::move(name), std::move(help), MetricType::counter, std::move(label_names)) {
}

std::unique_ptr<Counter> CounterFamily::make_cell() const { return std::make_unique<Counter>(); }

void CounterFamily::render_cell(std::string& out, std::span<const std::string> label_values,
                                const Counter& cell) const {
  append_sample_start(out, "", label_values);
  out += std::to_string(cell.value());
  out += '\n';
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
                         unsigned fraction_digits)
    : LabeledFamily(std::move(name), std::move(help), MetricType::gauge, std::move(label_names)),
      fraction_digits_(fraction_digits) {
  if (fraction_digits_ > kMaxGaugeFractionDigits) {
    throw std::invalid_argument("gauge fraction digits above 9: " + this->name());
  }
}

std::unique_ptr<Gauge> GaugeFamily::make_cell() const { return std::make_unique<Gauge>(); }

void GaugeFamily::render_cell(std::string& out, std::span<const std::string> label_values,
                              const Gauge& cell) const {
  append_sample_start(out, "", label_values);
  prometheus_text::append_fixed_point(out, cell.value(), fraction_digits_);
  out += '\n';
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<std::chrono::nanoseconds> upper_bounds)
    : LabeledFamily(std::move(name), std::move(help), MetricType::histogram,
                    std::move(label_names)),
      upper_bounds_(std::move(upper_bounds)),
      upper_bound_texts_(render_upper_bounds(upper_bounds_)) {
  check_upper_bounds(this->name(), upper_bounds_);
  if (std::ranges::find(this->label_names(), "le") != this->label_names().end()) {
    throw std::invalid_argument("histogram label named le: " + this->name());
  }
}

std::unique_ptr<Histogram> HistogramFamily::make_cell() const {
  return std::make_unique<Histogram>(upper_bounds_);
}

void HistogramFamily::render_cell(std::string& out, std::span<const std::string> label_values,
                                  const Histogram& cell) const {
  const Histogram::Snapshot snapshot = cell.snapshot();
  for (std::size_t i = 0; i < snapshot.cumulative_counts.size(); ++i) {
    append_sample_start(out, "_bucket", label_values, "le", upper_bound_texts_[i]);
    out += std::to_string(snapshot.cumulative_counts[i]);
    out += '\n';
  }
  append_sample_start(out, "_sum", label_values);
  prometheus_text::append_unsigned_fixed_point(out, snapshot.sum_ns, kNanosecondDigits);
  out += '\n';
  append_sample_start(out, "_count", label_values);
  out += std::to_string(snapshot.cumulative_counts.back());
  out += '\n';
}

}  // namespace segmentd
