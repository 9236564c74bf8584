// Population thresholds of the ranked families (SPEC 5.6): the value at an exact rank
// position (from 1) of a figure over the population Q, found with nth_element (linear
// time, no full sort). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace segmentd {

// ceil(p * q / 100000) for p in thousandths of a percent (top 15 % -> 15000), at least 1.
std::size_t percent_position(std::int64_t p_milli_percent, std::size_t q);

// The median position ceil(q / 2), at least 1.
std::size_t median_position(std::size_t q);

// The value at `position` (1 ... size) of `values` in ascending / descending order.
// Reorders `values`. REQUIRES: 1 <= position <= values.size().
std::int64_t nth_ascending(std::vector<std::int64_t>& values, std::size_t position);
std::int64_t nth_descending(std::vector<std::int64_t>& values, std::size_t position);

// Several positions of one array: each selection reorders only the part of `values`
// between the positions selected before it (nth_element leaves everything before its
// position <= everything after), so a second and third position cost a fraction of the
// first. Borrows `values`, which must not change while it is used.
class RankSelector {
 public:
  explicit RankSelector(std::vector<std::int64_t>& values) : values_(values) {}
  // As nth_ascending / nth_descending.
  std::int64_t ascending(std::size_t position);
  std::int64_t descending(std::size_t position) { return ascending(values_.size() - position + 1); }

 private:
  std::vector<std::int64_t>& values_;
  std::vector<std::size_t> selected_;  // indices already in their sorted place, ascending
};

}  // namespace segmentd
