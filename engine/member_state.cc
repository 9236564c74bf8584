#include "engine/member_state.h"

#include <algorithm>
#include <cstring>

namespace segmentd {

bool RecentEventIds::contains(std::string_view event_id) const {
  // An id of another length, first or last byte is rejected without a call to memcmp:
  // most ids asked for are not in the ring.
  const char* const data = packed_.data();
  const std::size_t size = event_id.size();
  const char first = size != 0 ? event_id.front() : '\0';  // an empty id matches by length
  const char last = size != 0 ? event_id.back() : '\0';
  for (std::size_t pos = 0; pos < packed_.size();) {
    const std::size_t n = read_length(pos);
    if (n == size && (n == 0 || (data[pos] == first && data[pos + n - 1] == last &&
                                 std::memcmp(data + pos, event_id.data(), n) == 0))) {
      return true;
    }
    pos += n;
  }
  return false;
}

void RecentEventIds::add(std::string_view event_id, std::uint32_t window) {
  if (window == 0) return;
  for (std::size_t n = event_id.size();; n >>= 7) {  // LEB128 length
    if (n < 0x80) {
      packed_.push_back(static_cast<char>(n));
      break;
    }
    packed_.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  packed_.append(event_id);
  ++count_;
  if (count_ <= window) return;
  std::size_t drop = 0;  // bytes of the oldest ids beyond the window
  for (; count_ > window; --count_) {
    const std::size_t n = read_length(drop);  // moves `drop` past the length
    drop += n;
  }
  packed_.erase(0, drop);
}

std::size_t RecentEventIds::heap_bytes() const {
  return packed_.capacity() > std::string().capacity() ? packed_.capacity() + 1 : 0;
}

std::vector<std::string> RecentEventIds::oldest_first() const {
  std::vector<std::string> ordered;
  ordered.reserve(count_);
  for_each_oldest_first([&](std::string_view id) { ordered.emplace_back(id); });
  return ordered;
}

void RecentEventIds::assign_packed(std::uint32_t count, std::string_view packed) {
  packed_.assign(packed);
  count_ = count;
}

namespace {

void add_to_days(std::vector<DayActivity>& days, const PurchaseEvent& event, std::int32_t day) {
  if (!days.empty() && day <= days.back().day - kDailyHistoryDays) return;  // too old to keep
  auto it = std::lower_bound(days.begin(), days.end(), day,
                             [](const DayActivity& d, std::int32_t v) { return d.day < v; });
  if (it == days.end() || it->day != day) it = days.insert(it, DayActivity{day, 0, {}});
  if (event.type == EventType::purchase) {
    ++it->purchases;
    it->net += event.amount;
  } else {
    it->net -= event.amount;
  }
  const std::int32_t oldest_kept = days.back().day - kDailyHistoryDays + 1;
  auto first_kept =
      std::lower_bound(days.begin(), days.end(), oldest_kept,
                       [](const DayActivity& d, std::int32_t v) { return d.day < v; });
  days.erase(days.begin(), first_kept);
}

}  // namespace

void add_to_figures(MemberFigures& figures, const PurchaseEvent& event, std::int32_t day) {
  if (event.type == EventType::profile) {
    figures.has_profile = true;
    return;
  }
  add_to_days(figures.days, event, day);
  if (event.type == EventType::refund) {
    ++figures.refunds;
    figures.net_total -= event.amount;
    return;
  }
  if (figures.purchases == 0) {
    figures.first_purchase = event.ts;
    figures.last_purchase = event.ts;
  } else {
    figures.first_purchase = std::min(figures.first_purchase, event.ts);
    figures.last_purchase = std::max(figures.last_purchase, event.ts);
  }
  ++figures.purchases;
  figures.net_total += event.amount;
}

}  // namespace segmentd
