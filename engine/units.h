// Strong types for the quantities the engine computes with: instants, durations and
// money. Each wraps one integer so that swapped arguments fail to compile and no
// floating point ever touches time or money.
//
// - EpochMs: an instant, milliseconds since 1970-01-01T00:00:00Z (event time).
// - DurationMs: a span of milliseconds; a "day" is exactly 86'400'000 ms (SPEC 4).
// - Money: an amount in thousandths of the deployment's currency unit (SPEC 2).
//
// All types are trivially copyable values; thread-safe as any int.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace segmentd {

struct DurationMs {
  std::int64_t ms = 0;
  constexpr auto operator<=>(const DurationMs&) const = default;
  static constexpr DurationMs days(std::int64_t n) { return {n * 86'400'000}; }
  static constexpr DurationMs hours(std::int64_t n) { return {n * 3'600'000}; }
  static constexpr DurationMs minutes(std::int64_t n) { return {n * 60'000}; }
};

struct EpochMs {
  std::int64_t ms = 0;
  constexpr auto operator<=>(const EpochMs&) const = default;
  static constexpr EpochMs min() { return {std::numeric_limits<std::int64_t>::min() / 4}; }
};

constexpr EpochMs operator+(EpochMs t, DurationMs d) { return {t.ms + d.ms}; }
constexpr EpochMs operator-(EpochMs t, DurationMs d) { return {t.ms - d.ms}; }
constexpr DurationMs operator-(EpochMs a, EpochMs b) { return {a.ms - b.ms}; }
constexpr EpochMs max(EpochMs a, EpochMs b) { return a < b ? b : a; }

struct Money {
  std::int64_t thousandths = 0;
  constexpr auto operator<=>(const Money&) const = default;
  constexpr Money& operator+=(Money o) {
    thousandths += o.thousandths;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    thousandths -= o.thousandths;
    return *this;
  }
};

}  // namespace segmentd
