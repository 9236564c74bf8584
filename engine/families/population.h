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

}  // namespace segmentd
