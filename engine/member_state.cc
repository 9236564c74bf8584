#include "engine/member_state.h"

#include <algorithm>

namespace segmentd {

bool RecentEventIds::contains(std::string_view event_id) const {
  return std::any_of(ids_.begin(), ids_.end(),
                     [&](const std::string& id) { return id == event_id; });
}

void RecentEventIds::add(std::string_view event_id, std::uint32_t window) {
  if (window == 0) return;
  if (ids_.size() != window && next_ != 0) {  // the window changed since the ring wrapped
    ids_ = oldest_first();
    next_ = 0;
  }
  if (ids_.size() > window) ids_.erase(ids_.begin(), ids_.end() - window);
  if (ids_.size() < window) {
    ids_.emplace_back(event_id);
    return;
  }
  ids_[next_].assign(event_id);
  next_ = (next_ + 1) % window;
}

std::size_t RecentEventIds::heap_bytes() const {
  std::size_t bytes = ids_.capacity() * sizeof(std::string);
  for (const std::string& id : ids_) {
    if (id.capacity() > std::string().capacity()) bytes += id.capacity() + 1;
  }
  return bytes;
}

std::vector<std::string> RecentEventIds::oldest_first() const {
  std::vector<std::string> ordered;
  ordered.reserve(ids_.size());
  for (std::size_t i = 0; i < ids_.size(); ++i) ordered.push_back(ids_[(next_ + i) % ids_.size()]);
  return ordered;
}

void RecentEventIds::assign_oldest_first(std::vector<std::string> ids) {
  ids_ = std::move(ids);
  next_ = 0;
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
