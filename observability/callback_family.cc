#include "observability/callback_family.h"

#include <algorithm>
#include <stdexcept>

#include "observability/prometheus_text.h"

namespace segmentd {

namespace {

bool same_labels(const CallbackSample& a, const CallbackSample& b) {
  return a.label_values == b.label_values;
}

}  // namespace

CallbackFamily::CallbackFamily(std::string name, std::string help, MetricType type,
                               std::vector<std::string> label_names, ScrapeCallback callback)
    : MetricFamily(std::move(name), std::move(help), type, std::move(label_names)),
      callback_(std::move(callback)) {
  if (type == MetricType::histogram) {
    throw std::invalid_argument("callback families are counters or gauges: " + this->name());
  }
}

void CallbackFamily::render_samples(std::string& out) const {
  std::vector<CallbackSample> samples = callback_();
  for (const CallbackSample& sample : samples) check_label_count(sample.label_values.size());
  std::ranges::sort(samples, {}, &CallbackSample::label_values);
  if (std::ranges::adjacent_find(samples, same_labels) != samples.end()) {
    throw std::invalid_argument("callback returned repeated label values: " + name());
  }
  for (const CallbackSample& sample : samples) {
    append_sample_start(out, "", sample.label_values);
    prometheus_text::append_double(out, sample.value);
    out += '\n';
  }
}

}  // namespace segmentd
