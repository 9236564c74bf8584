#include "observability/metrics_registry.h"

#include <prometheus/check_names.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <stdexcept>

#include "observability/callback_collectable.h"

namespace segmentd {

namespace {

constexpr unsigned kMaxGaugeFractionDigits = 9;

void check_upper_bounds(const std::string& name,
                        const std::vector<std::chrono::nanoseconds>& upper_bounds) {
  const bool negative = !upper_bounds.empty() && upper_bounds.front().count() < 0;
  const bool increasing = std::ranges::adjacent_find(upper_bounds, [](auto lower, auto upper) {
                            return lower >= upper;
                          }) == upper_bounds.end();
  if (negative || !increasing) {
    throw std::invalid_argument("histogram bounds must be non-negative and increasing: " + name);
  }
}

}  // namespace

CallbackRegistration::CallbackRegistration(CallbackRegistration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), name_(std::move(other.name_)) {}

CallbackRegistration& CallbackRegistration::operator=(CallbackRegistration&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

void CallbackRegistration::reset() {
  if (registry_ == nullptr) return;
  std::exchange(registry_, nullptr)->remove(name_);
}

MetricsRegistry::MetricsRegistry()
    : registry_(
          std::make_shared<prometheus::Registry>(prometheus::Registry::InsertBehavior::Throw)) {}

MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::claim_name(const std::string& name, const std::string& help, bool counter,
                                 const std::vector<std::string>& label_names) {
  if (!prometheus::CheckMetricName(name)) {
    throw std::invalid_argument("invalid metric name: " + name);
  }
  // prometheus-cpp 1.0's TextSerializer writes HELP verbatim (no escaping).
  if (help.find_first_of("\\\n") != std::string::npos) {
    throw std::invalid_argument("help text with a backslash or newline: " + name);
  }
  if (counter && !name.ends_with("_total")) {
    throw std::invalid_argument("counter name must end in _total: " + name);
  }
  for (auto it = label_names.begin(); it != label_names.end(); ++it) {
    if (!prometheus::CheckLabelName(*it)) {
      throw std::invalid_argument("invalid label name " + *it + " of " + name);
    }
    if (std::find(label_names.begin(), it, *it) != it) {
      throw std::invalid_argument("repeated label name " + *it + " of " + name);
    }
  }
  if (!names_.insert(name).second) throw std::invalid_argument("metric declared twice: " + name);
}

CounterFamily& MetricsRegistry::add_counter_family(std::string name, std::string help,
                                                   std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  claim_name(name, help, true, label_names);
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  return *counters_.emplace_back(std::make_unique<CounterFamily>(family, std::move(label_names)));
}

GaugeFamily& MetricsRegistry::add_gauge_family(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               unsigned fraction_digits) {
  if (fraction_digits > kMaxGaugeFractionDigits) {
    throw std::invalid_argument("gauge fraction digits above 9: " + name);
  }
  std::lock_guard lock(mutex_);
  claim_name(name, help, false, label_names);
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
  return *gauges_.emplace_back(
      std::make_unique<GaugeFamily>(family, std::move(label_names), fraction_digits));
}

HistogramFamily& MetricsRegistry::add_histogram_family(
    std::string name, std::string help, std::vector<std::string> label_names,
    std::vector<std::chrono::nanoseconds> upper_bounds) {
  check_upper_bounds(name, upper_bounds);
  if (std::ranges::find(label_names, "le") != label_names.end()) {
    throw std::invalid_argument("histogram label named le: " + name);
  }
  std::lock_guard lock(mutex_);
  claim_name(name, help, false, label_names);
  auto& family = prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
  return *histograms_.emplace_back(
      std::make_unique<HistogramFamily>(family, std::move(label_names), std::move(upper_bounds)));
}

CallbackRegistration MetricsRegistry::add_callback_family(std::string name, std::string help,
                                                          MetricType type,
                                                          std::vector<std::string> label_names,
                                                          ScrapeCallback callback) {
  std::lock_guard lock(mutex_);
  claim_name(name, help, type == MetricType::counter, label_names);
  callbacks_.emplace(
      name, std::make_unique<CallbackCollectable>(name, std::move(help), type,
                                                  std::move(label_names), std::move(callback)));
  return CallbackRegistration(*this, name);
}

void MetricsRegistry::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  callbacks_.erase(name);
  names_.erase(name);
}

std::string MetricsRegistry::render() const {
  std::vector<prometheus::MetricFamily> families;
  {
    std::lock_guard lock(mutex_);
    families = registry_->Collect();
    for (const auto& [name, callback] : callbacks_) {
      for (auto& family : callback->Collect()) families.push_back(std::move(family));
    }
  }
  std::ranges::sort(families, {}, &prometheus::MetricFamily::name);
  for (auto& family : families) {
    std::ranges::sort(family.metric, {}, &prometheus::ClientMetric::label);
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace segmentd
