#include "engine/member_state.h"

#include <algorithm>

namespace segmentd {

namespace {

// Reads the packed id at `pos` and moves `pos` past it; false at the end of the buffer or
// on bytes that are not a packed id.
bool next_packed_id(std::string_view packed, std::size_t& pos, std::string_view& id) {
  std::uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (pos >= packed.size() || shift >= 64) return false;
    const auto byte = static_cast<unsigned char>(packed[pos++]);
    length |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80u) == 0) break;
  }
  if (length > packed.size() - pos) return false;
  id = packed.substr(pos, length);
  pos += length;
  return true;
}

void append_packed_id(std::string& packed, std::string_view id) {
  std::uint64_t length = id.size();
  for (; length >= 0x80; length >>= 7) packed.push_back(static_cast<char>(length | 0x80));
  packed.push_back(static_cast<char>(length));
  packed.append(id);
}

}  // namespace

bool RecentEventIds::contains(std::string_view event_id) const {
  std::size_t pos = 0;
  std::string_view id;
  while (next_packed_id(packed_, pos, id)) {
    if (id == event_id) return true;
  }
  return false;
}

void RecentEventIds::add(std::string_view event_id, std::uint32_t window) {
  if (window == 0) return;
  append_packed_id(packed_, event_id);
  ++count_;
  std::size_t pos = 0;
  std::string_view dropped;
  for (; count_ > window; --count_) next_packed_id(packed_, pos, dropped);
  packed_.erase(0, pos);
}

bool RecentEventIds::assign_packed(std::string_view packed, std::size_t count) {
  std::size_t pos = 0;
  std::string_view id;
  std::size_t found = 0;
  while (found < count && next_packed_id(packed, pos, id)) ++found;
  if (found != count || pos != packed.size()) {
    packed_.clear();
    count_ = 0;
    return false;
  }
  packed_.assign(packed);
  count_ = count;
  return true;
}

std::vector<std::string> RecentEventIds::oldest_first() const {
  std::vector<std::string> ids;
  ids.reserve(count_);
  std::size_t pos = 0;
  std::string_view id;
  while (next_packed_id(packed_, pos, id)) ids.emplace_back(id);
  return ids;
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
