// The values the engine updates on its hot path: Counter, Gauge and Histogram, thin
// handles on prometheus-cpp metrics. Each update is one atomic operation on the
// underlying metric: no lock, no allocation. The scrape reads them concurrently.
//
// Ownership: created by their family in a MetricsRegistry (family.with_labels(...)),
// which owns them and the prometheus-cpp metrics behind them; a reference stays valid
// for the registry's lifetime, so the engine looks a cell up once and keeps it.
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace segmentd {

// A value that only goes up (events consumed, transitions).
class Counter {
 public:
  explicit Counter(prometheus::Counter& metric) : metric_(&metric) {}
  void increment(std::uint64_t by = 1);
  double value() const;

 private:
  prometheus::Counter* metric_;
};

// A value that goes up and down (members per segment, clock). Fixed point: the
// family's fraction_digits say how the integer is scaled, e.g. with 3 digits
// set(1500) shows 1.5 (milliseconds stored, seconds shown).
class Gauge {
 public:
  Gauge(prometheus::Gauge& metric, double divisor) : metric_(&metric), divisor_(divisor) {}
  void set(std::int64_t scaled);
  void add(std::int64_t delta);
  double value() const;  // as shown: scaled / 10^fraction_digits

 private:
  prometheus::Gauge* metric_;
  double divisor_;
};

// Durations counted into buckets by upper bound, shown in seconds.
class Histogram {
 public:
  explicit Histogram(prometheus::Histogram& metric) : metric_(&metric) {}
  // Negative durations (a clock step) count as zero.
  void observe(std::chrono::nanoseconds duration);

 private:
  prometheus::Histogram* metric_;
};

}  // namespace segmentd
