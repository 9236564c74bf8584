// The values the engine updates on its hot path: Counter, Gauge and Histogram. Each
// update is one or two relaxed atomic operations: no lock, no allocation. The scrape
// reads them concurrently; it sees every update that happened before it started, and
// possibly some that race with it (a histogram's sum may lag its buckets by the
// observations in flight).
//
// Ownership: created by their family in a MetricsRegistry (family.with_labels(...)),
// which owns them; a reference stays valid for the registry's lifetime, so the engine
// looks a cell up once and keeps the reference.
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace segmentd {

// A value that only goes up (events consumed, transitions). Rendered as an integer.
class Counter {
 public:
  void increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (members per segment, clock). Fixed point: the
// family's fraction_digits say how the integer is rendered, e.g. with 3 digits
// set(1500) renders 1.5 (milliseconds stored, seconds shown).
class Gauge {
 public:
  void set(std::int64_t scaled) { value_.store(scaled, std::memory_order_relaxed); }
  void add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Durations counted into buckets by upper bound (rendered in seconds), with their sum
// kept in integer nanoseconds. Bucket counts are stored per bucket and made cumulative
// when read; the count of all observations is the sum of the buckets.
class Histogram {
 public:
  struct Snapshot {
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf (= count)
    std::uint64_t sum_ns = 0;
  };

  // `upper_bounds` are strictly increasing and owned by the family, which outlives
  // the histogram.
  explicit Histogram(std::span<const std::chrono::nanoseconds> upper_bounds)
      : upper_bounds_(upper_bounds), bucket_counts_(upper_bounds.size() + 1) {}

  // Negative durations (a clock step) count as zero.
  void observe(std::chrono::nanoseconds duration) {
    duration = std::max(duration, std::chrono::nanoseconds::zero());
    const auto bucket = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), duration);
    bucket_counts_[bucket - upper_bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(duration.count()), std::memory_order_relaxed);
  }

  Snapshot snapshot() const {
    Snapshot result;
    result.cumulative_counts.reserve(bucket_counts_.size());
    std::uint64_t running = 0;
    for (const auto& count : bucket_counts_) {
      running += count.load(std::memory_order_relaxed);
      result.cumulative_counts.push_back(running);
    }
    result.sum_ns = sum_ns_.load(std::memory_order_relaxed);
    return result;
  }

 private:
  std::span<const std::chrono::nanoseconds> upper_bounds_;
  std::vector<std::atomic<std::uint64_t>> bucket_counts_;  // per bucket, not cumulative
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace segmentd
