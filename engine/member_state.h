// Everything the engine keeps about one member (SPEC 6), and how an event changes it.
//
// MemberFigures are the order-independent facts segment rules read: purchase count,
// first/last purchase, net amount, per-day activity. MemberState adds the engine's
// bookkeeping: the dedupe ring, the member's current labels, its transition counter
// (`seq`) and its pending timer.
//
// Plain values; not thread-safe (each member is owned by one stream).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/purchase_event.h"
#include "engine/units.h"

namespace segmentd {

// One calendar day of activity (at time.utc_offset), for rolling windows.
struct DayActivity {
  std::int32_t day = 0;         // days since 1970-01-01
  std::uint32_t purchases = 0;  // purchases that day
  Money net{};                  // purchases minus refunds that day
  bool operator==(const DayActivity&) const = default;
};

// Days of activity kept: the member's latest active day and the 365 before it.
inline constexpr std::int32_t kDailyHistoryDays = 366;

struct MemberFigures {
  std::uint32_t purchases = 0;      // n; refunds do not count
  std::uint32_t refunds = 0;
  EpochMs first_purchase{};         // meaningful when purchases > 0
  EpochMs last_purchase{};          // meaningful when purchases > 0
  Money net_total{};                // lifetime purchases minus refunds
  std::vector<DayActivity> days;    // ascending by day, sparse, within kDailyHistoryDays
  bool operator==(const MemberFigures&) const = default;
};

// The last `dedupe.window` event ids applied to a member, oldest overwritten first.
class RecentEventIds {
 public:
  bool contains(std::string_view event_id) const;
  void add(std::string_view event_id, std::uint32_t window);
  // In insertion order, oldest first (for encoding).
  std::vector<std::string> oldest_first() const;
  void assign_oldest_first(std::vector<std::string> ids);
  bool empty() const { return ids_.empty(); }

 private:
  std::vector<std::string> ids_;
  std::uint32_t next_ = 0;  // slot overwritten next once the ring is full
};

struct MemberState {
  MemberFigures figures;
  RecentEventIds recent_events;
  std::uint8_t lifecycle = 0;       // a LifecycleLabel, stored as its number
  std::uint64_t seq = 0;            // transitions emitted so far, all families
  std::optional<EpochMs> timer;     // the pending timer's due time
  bool known = false;               // false until the first event is applied
};

// Adds an accepted, non-duplicate event to the figures (SPEC 6). `day` is the event's
// calendar day at time.utc_offset. Independent of the order events arrive in.
void add_to_figures(MemberFigures& figures, const PurchaseEvent& event, std::int32_t day);

}  // namespace segmentd
