// Seeded pseudo-random numbers for segmentd-gen.
//
// Contract: a generator constructed from the same seed yields the same sequence of
// 64-bit integers on every platform. The floating-point helpers below are built on
// <cmath> only (no std:: distributions, whose output differs between standard
// libraries), so with one compiler and libm the whole stream is reproducible.
// The normal quantile table is built once, on first use, thread-safely.
//
//   SplitMix64   8-byte state; per-member and per-event streams, seed derivation.
//   Xoshiro256ss xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64;
//                the stream-wide fault decisions.
//   mix64        the SplitMix64 finaliser: a bijection on 64-bit integers.
//
// Every helper takes any generator `G` with `std::uint64_t next()`. Header-only,
// no global state; a generator object is not thread-safe.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace segmentd::gen {

constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) : state_(seed) {}
  constexpr std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  constexpr std::uint64_t state() const { return state_; }

 private:
  std::uint64_t state_;
};

class Xoshiro256ss {
 public:
  explicit constexpr Xoshiro256ss(std::uint64_t seed) {
    SplitMix64 seeder(seed);
    for (auto& word : s_) word = seeder.next();
  }
  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

// Uniform in [0, 1), 53 random bits.
template <class G>
double uniform01(G& g) {
  return static_cast<double>(g.next() >> 11) * 0x1.0p-53;
}

template <class G>
double uniform(G& g, double lo, double hi) {
  return lo + (hi - lo) * uniform01(g);
}

// Uniform integer in [0, n); n > 0. The bias (< n / 2^53) is irrelevant here.
template <class G>
std::uint64_t below(G& g, std::uint64_t n) {
  const auto k = static_cast<std::uint64_t>(uniform01(g) * static_cast<double>(n));
  return k < n ? k : n - 1;
}

template <class G>
bool chance(G& g, double probability) {
  return uniform01(g) < probability;
}

// Quantiles of the standard normal at p = i / 4096 (i = 1..4095), with the two
// ends at p = 1/16384 and 1 - 1/16384 (about ±3.73); see standard_normal.
const std::array<double, 4097>& normal_quantiles();

// Standard normal, by linear interpolation in a 4096-cell quantile table: no
// transcendental function per draw, tails cut at about ±3.73 (plenty for
// synthetic amounts and gaps). One 64-bit draw per call.
template <class G>
double standard_normal(G& g) {
  const std::uint64_t bits = g.next();
  const std::size_t cell = bits >> 52;
  const double fraction = static_cast<double>(bits & ((std::uint64_t{1} << 52) - 1)) * 0x1.0p-52;
  const auto& q = normal_quantiles();
  return q[cell] + (q[cell + 1] - q[cell]) * fraction;
}

template <class G>
double lognormal(G& g, double median, double sigma) {
  return median * std::exp(sigma * standard_normal(g));
}

// Gamma(shape, scale) for shape >= 1 (Marsaglia & Tsang, 2000); mean shape * scale.
template <class G>
double gamma(G& g, double shape, double scale) {
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = standard_normal(g);
    const double v0 = 1.0 + c * x;
    if (v0 <= 0.0) continue;
    const double v = v0 * v0 * v0;
    const double u = uniform01(g);
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * scale;  // cheap squeeze, ~98 %
    if (std::log(u) < 0.5 * x2 + d - d * v + d * std::log(v)) return d * v * scale;
  }
}

// log-uniform in [lo, hi): equal odds for every order of magnitude.
template <class G>
double log_uniform(G& g, double lo, double hi) {
  return lo * std::exp(std::log(hi / lo) * uniform01(g));
}

}  // namespace segmentd::gen
