#include "observability/metrics_registry.h"

#include <stdexcept>
#include <utility>

namespace segmentd {

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
  if (registry_ != nullptr) std::exchange(registry_, nullptr)->remove(name_);
}

CounterFamily& MetricsRegistry::add_counter_family(std::string name, std::string help,
                                                   std::vector<std::string> label_names) {
  return add(
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)));
}

GaugeFamily& MetricsRegistry::add_gauge_family(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               unsigned fraction_digits) {
  return add(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names),
                                           fraction_digits));
}

HistogramFamily& MetricsRegistry::add_histogram_family(
    std::string name, std::string help, std::vector<std::string> label_names,
    std::vector<std::chrono::nanoseconds> upper_bounds) {
  return add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names), std::move(upper_bounds)));
}

CallbackRegistration MetricsRegistry::add_callback_family(std::string name, std::string help,
                                                          MetricType type,
                                                          std::vector<std::string> label_names,
                                                          ScrapeCallback callback) {
  const CallbackFamily& family = add(std::make_unique<CallbackFamily>(
      std::move(name), std::move(help), type, std::move(label_names), std::move(callback)));
  return CallbackRegistration(*this, family.name());
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

template <typename Family>
Family& MetricsRegistry::add(std::unique_ptr<Family> family) {
  Family& added = *family;
  std::lock_guard lock(mutex_);
  const bool inserted = families_.try_emplace(added.name(), std::move(family)).second;
  if (!inserted) throw std::invalid_argument("metric declared twice: " + added.name());
  return added;
}

void MetricsRegistry::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  families_.erase(name);
}

}  // namespace segmentd
