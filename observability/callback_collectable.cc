#include "observability/callback_collectable.h"

#include <algorithm>
#include <stdexcept>

namespace segmentd {

CallbackCollectable::CallbackCollectable(std::string name, std::string help, MetricType type,
                                         std::vector<std::string> label_names,
                                         ScrapeCallback callback)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      callback_(std::move(callback)) {}

std::vector<prometheus::MetricFamily> CallbackCollectable::Collect() const {
  std::vector<CallbackSample> samples = callback_();
  for (const CallbackSample& sample : samples) {
    if (sample.label_values.size() != label_names_.size()) {
      throw std::invalid_argument("callback returned the wrong number of label values: " + name_);
    }
  }
  std::ranges::sort(samples, {}, &CallbackSample::label_values);
  const auto same = [](const CallbackSample& a, const CallbackSample& b) {
    return a.label_values == b.label_values;
  };
  if (std::ranges::adjacent_find(samples, same) != samples.end()) {
    throw std::invalid_argument("callback returned repeated label values: " + name_);
  }
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = type_ == MetricType::counter ? prometheus::MetricType::Counter
                                             : prometheus::MetricType::Gauge;
  for (const CallbackSample& sample : samples) {
    prometheus::ClientMetric metric;
    for (std::size_t i = 0; i < label_names_.size(); ++i) {
      metric.label.push_back({label_names_[i], sample.label_values[i]});
    }
    if (type_ == MetricType::counter) {
      metric.counter.value = sample.value;
    } else {
      metric.gauge.value = sample.value;
    }
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace segmentd
