#include "engine/families/population.h"

#include <algorithm>
#include <limits>

namespace segmentd {

std::size_t percent_position(std::int64_t p_milli_percent, std::size_t q) {
  // Exact: p <= 100000 and q < 2^40, far from overflow.
  const auto numerator = static_cast<std::uint64_t>(p_milli_percent) * q;
  const std::uint64_t position = (numerator + 99'999) / 100'000;
  return std::max<std::size_t>(1, position);
}

std::size_t median_position(std::size_t q) { return std::max<std::size_t>(1, (q + 1) / 2); }

namespace {

// The next band's half-width: at least twice this selection's move; after a miss twice
// as wide, and while the band holds more than 1/32 of the values, half as wide. The first
// is guessed from the value's scale.
std::int64_t next_spread(const RankHints::Hint& hint, std::int64_t found, bool near,
                         std::size_t band_size, std::size_t values) {
  constexpr std::int64_t kWidest = std::int64_t{1} << 61;
  const auto distance = [](std::int64_t a, std::int64_t b) {
    const std::uint64_t d = a > b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
                                  : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
    return d >= static_cast<std::uint64_t>(kWidest) ? kWidest : static_cast<std::int64_t>(d);
  };
  if (hint.spread == 0) return std::max<std::int64_t>(1, distance(found, 0) / 16);
  std::int64_t spread = hint.spread;
  if (!near) {
    spread = std::min(kWidest, 2 * hint.spread);
  } else if (band_size > values / 32) {
    spread = hint.spread / 2;
  }
  return std::max<std::int64_t>({1, spread, 2 * distance(found, hint.value)});
}

}  // namespace

std::int64_t RankSelector::ascending(std::size_t position) {
  const std::size_t index = outside_ + position - 1;
  if (hints_ == nullptr) return ascending_by_partition(index);
  const std::size_t call = calls_++;
  if (hints_->hints.size() <= call) hints_->hints.resize(call + 1);
  RankHints::Hint& hint = hints_->hints[call];
  std::int64_t found = 0;
  const bool near = hint.spread > 0 && ascending_near(index, hint, found);
  if (!near) found = ascending_by_partition(index);
  if (hint.spread > 0 && found != hint.value) {
    // The values between the last selection's and this one's: from the band's indices
    // when they hold them, else from every value.
    const std::int64_t low = std::min(found, hint.value);
    const std::int64_t high = std::max(found, hint.value);
    const auto cross = [&](std::size_t i) {
      if (values_[i] >= low && values_[i] <= high) {
        hints_->crossed.push_back(static_cast<std::uint32_t>(i));
      }
    };
    if (near) {
      for (std::size_t k = 0; k < hints_->band_size; ++k) cross(hints_->band_index[k]);
    } else {
      for (std::size_t i = 0; i < values_.size(); ++i) cross(i);
    }
  }
  hint.spread = next_spread(hint, found, near, hints_->band_size, values_.size());
  hint.value = found;
  return found;
}

bool RankSelector::ascending_near(std::size_t index, const RankHints::Hint& hint,
                                  std::int64_t& found) {
  // One lean pass over every value: how many lie below the band, and the indices of
  // those in it. The rest looks at the band only.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t low = hint.value < kMin + hint.spread ? kMin : hint.value - hint.spread;
  const std::int64_t high = hint.value > kMax - hint.spread ? kMax : hint.value + hint.spread;
  if (hints_->band_index.size() < values_.size() + 1) {  // only grows: no refill per pass
    hints_->band_index.resize(values_.size() + 1);
  }
  std::uint32_t* in_band = hints_->band_index.data();
  const std::int64_t* values = values_.data();
  std::size_t kept = 0;
  std::size_t below = 0;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const std::int64_t v = values[i];
    below += static_cast<std::size_t>(v < low);
    in_band[kept] = static_cast<std::uint32_t>(i);
    kept += static_cast<std::size_t>((v >= low) & (v <= high));
  }
  hints_->band_size = kept;
  if (index < below || index >= below + kept) return false;
  // The band's values other than the hint, and how many equal it (ties, as of a
  // frequency, are only counted).
  std::vector<std::int64_t>& band = hints_->band;
  band.clear();
  std::size_t lower = 0;
  std::size_t equal = 0;
  for (std::size_t k = 0; k < kept; ++k) {
    const std::int64_t v = values[in_band[k]];
    if (v == hint.value) {
      ++equal;
      continue;
    }
    lower += static_cast<std::size_t>(v < hint.value);
    band.push_back(v);
  }
  std::size_t rest = index - below;  // ascending: lower, equal, upper
  if (rest >= lower) {
    if (rest - lower < equal) {
      found = hint.value;
      return true;
    }
    rest -= equal;
  }
  const auto nth = band.begin() + static_cast<std::ptrdiff_t>(rest);
  std::nth_element(band.begin(), nth, band.end());
  found = *nth;
  return true;
}

std::int64_t RankSelector::ascending_by_partition(std::size_t index) {
  if (sorted_part_.empty()) sorted_part_ = values_;
  const auto next = std::lower_bound(selected_.begin(), selected_.end(), index);
  if (next != selected_.end() && *next == index) return sorted_part_[index];
  const std::size_t from = next == selected_.begin() ? 0 : *(next - 1) + 1;
  const std::size_t to = next == selected_.end() ? sorted_part_.size() : *next;
  const auto at = [&](std::size_t i) {
    return sorted_part_.begin() + static_cast<std::ptrdiff_t>(i);
  };
  std::nth_element(at(from), at(index), at(to));
  selected_.insert(next, index);
  return sorted_part_[index];
}

}  // namespace segmentd
