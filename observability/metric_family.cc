#include "observability/metric_family.h"

#include <algorithm>
#include <stdexcept>

#include "observability/prometheus_text.h"

namespace segmentd {

namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

void check_names(std::string_view name, MetricType type,
                 const std::vector<std::string>& label_names) {
  if (!prometheus_text::is_valid_metric_name(name)) {
    throw std::invalid_argument("invalid metric name: " + std::string(name));
  }
  if (type == MetricType::counter && !name.ends_with("_total")) {
    throw std::invalid_argument("counter name must end in _total: " + std::string(name));
  }
  for (auto it = label_names.begin(); it != label_names.end(); ++it) {
    if (!prometheus_text::is_valid_label_name(*it)) {
      throw std::invalid_argument("invalid label name in " + std::string(name) + ": " + *it);
    }
    if (std::find(label_names.begin(), it, *it) != it) {
      throw std::invalid_argument("repeated label name in " + std::string(name) + ": " + *it);
    }
  }
}

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {
  check_names(name_, type_, label_names_);
}

void MetricFamily::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  prometheus_text::append_escaped_help(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(type_);
  out += '\n';
  render_samples(out);
}

void MetricFamily::append_sample_start(std::string& out, std::string_view name_suffix,
                                       std::span<const std::string> label_values,
                                       std::string_view extra_name,
                                       std::string_view extra_value) const {
  out += name_;
  out += name_suffix;
  prometheus_text::append_labels(out, label_names_, label_values, extra_name, extra_value);
  out += ' ';
}

void MetricFamily::check_label_count(std::size_t value_count) const {
  if (value_count != label_names_.size()) {
    throw std::invalid_argument(name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(value_count));
  }
}

}  // namespace segmentd
