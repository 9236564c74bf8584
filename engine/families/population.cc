#include "engine/families/population.h"

#include <algorithm>

namespace segmentd {

std::size_t percent_position(std::int64_t p_milli_percent, std::size_t q) {
  // Exact: p <= 100000 and q < 2^40, far from overflow.
  const auto numerator = static_cast<std::uint64_t>(p_milli_percent) * q;
  const std::uint64_t position = (numerator + 99'999) / 100'000;
  return std::max<std::size_t>(1, position);
}

std::size_t median_position(std::size_t q) { return std::max<std::size_t>(1, (q + 1) / 2); }

std::int64_t nth_ascending(std::vector<std::int64_t>& values, std::size_t position) {
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(position - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

std::int64_t nth_descending(std::vector<std::int64_t>& values, std::size_t position) {
  return nth_ascending(values, values.size() - position + 1);
}

std::int64_t RankSelector::ascending(std::size_t position) {
  const std::size_t index = position - 1;
  const auto next = std::lower_bound(selected_.begin(), selected_.end(), index);
  if (next != selected_.end() && *next == index) return values_[index];
  const std::size_t from = next == selected_.begin() ? 0 : *(next - 1) + 1;
  const std::size_t to = next == selected_.end() ? values_.size() : *next;
  const auto at = [&](std::size_t i) { return values_.begin() + static_cast<std::ptrdiff_t>(i); };
  std::nth_element(at(from), at(index), at(to));
  selected_.insert(next, index);
  return values_[index];
}

}  // namespace segmentd
