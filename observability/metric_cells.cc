#include "observability/metric_cells.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <algorithm>

namespace segmentd {

void Counter::increment(std::uint64_t by) { metric_->Increment(static_cast<double>(by)); }

double Counter::value() const { return metric_->Value(); }

void Gauge::set(std::int64_t scaled) { metric_->Set(static_cast<double>(scaled) / divisor_); }

void Gauge::add(std::int64_t delta) { metric_->Increment(static_cast<double>(delta) / divisor_); }

double Gauge::value() const { return metric_->Value(); }

void Histogram::observe(std::chrono::nanoseconds duration) {
  duration = std::max(duration, std::chrono::nanoseconds::zero());
  metric_->Observe(std::chrono::duration<double>(duration).count());
}

}  // namespace segmentd
