// Population thresholds of the ranked families (SPEC 5.6): the value at an exact rank
// position (from 1) of a figure over the population Q, found with nth_element (linear
// time, no full sort), or near the value found the day before (RankHints). The functions
// are pure and thread-safe; a RankSelector and its RankHints belong to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace segmentd {

// What a slot of a population's figures holds for a member outside the population; no
// figure is this low (amounts are bounded, SPEC 2).
inline constexpr std::int64_t kOutsidePopulation = std::numeric_limits<std::int64_t>::min();

// ceil(p * q / 100000) for p in thousandths of a percent (top 15 % -> 15000), at least 1.
std::size_t percent_position(std::int64_t p_milli_percent, std::size_t q);

// The median position ceil(q / 2), at least 1.
std::size_t median_position(std::size_t q);

// What a RankSelector remembers between selections over one population as it changes
// slowly (the daily sweep): the value each of its selections (in call order) found last
// time and how far it moved. With it, a selection is one pass that keeps only the values
// near the last one and selects among those; it falls back to nth_element when the value
// moved further. Each selection that moves from its last value also adds to `crossed`
// the indices of the values between the two (inclusive): the members a threshold
// crossed. Not thread-safe.
class RankHints {
 public:
  struct Hint {
    std::int64_t value = 0;
    std::int64_t spread = 0;  // the half-width of the band to keep, >= 1; 0: no value yet
  };
  std::vector<Hint> hints;             // one per selection, in call order
  std::vector<std::uint32_t> crossed;  // for the caller to read and clear

  // Scratch of one selection (reused): the indices of the values in the band, and the
  // band's values other than the hint.
  std::vector<std::uint32_t> band_index;
  std::size_t band_size = 0;
  std::vector<std::int64_t> band;
};

// Positions of one population Q, as `values` holds it: the figure of each member of Q,
// and `outside` slots holding kOutsidePopulation (members not in Q, which sort first).
// Each selection works on a copy made at the first selection that needs it, and reorders
// only the part of that copy between the positions selected before it (nth_element
// leaves everything before its position <= everything after), so a second and third
// position cost a fraction of the first. With `hints`, a selection near the hinted value
// copies and reorders nothing (see RankHints); the result is the same. Borrows `values`
// (and `hints`), which must not change while it is used.
class RankSelector {
 public:
  explicit RankSelector(const std::vector<std::int64_t>& values, std::size_t outside = 0,
                        RankHints* hints = nullptr)
      : values_(values), outside_(outside), hints_(hints) {}
  // The value at `position` (1 ... |Q|) of Q in ascending / descending order.
  // REQUIRES: 1 <= position <= |Q|.
  std::int64_t ascending(std::size_t position);
  std::int64_t descending(std::size_t position) { return ascending(size() - position + 1); }
  std::size_t size() const { return values_.size() - outside_; }  // |Q|

 private:
  // The value at `index` of the ascending order of values_ when it lies within the hint's
  // band.
  bool ascending_near(std::size_t index, const RankHints::Hint& hint, std::int64_t& found);
  std::int64_t ascending_by_partition(std::size_t index);

  const std::vector<std::int64_t>& values_;
  std::size_t outside_;
  RankHints* hints_;
  std::size_t calls_ = 0;
  std::vector<std::int64_t> sorted_part_;  // the copy partitioned at selected_
  std::vector<std::size_t> selected_;      // indices already in their sorted place, ascending
};

}  // namespace segmentd
