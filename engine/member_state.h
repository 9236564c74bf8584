// Everything the engine keeps about one member (SPEC 6), and how an event changes it.
//
// MemberFigures are the order-independent facts segment rules read: purchase count,
// first/last purchase, net amount, per-day activity, whether a profile exists.
// MemberState adds the engine's bookkeeping: the dedupe ring, the member's current label
// in each family, its transition counter (`seq`), its pending timer, the newest
// profile's birthday, per-category purchase figures and pending actions (SPEC 5.7), and
// the purchases a coming daily sweep must not count yet (SPEC 5.6, 6).
//
// Plain values; not thread-safe (each member is owned by one stream).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/families/family_rules.h"
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

// Days of activity kept: the member's latest active day and the 367 before it (the
// longest window, 366 days, plus the days a sweep may lag behind the latest purchase).
inline constexpr std::int32_t kDailyHistoryDays = 368;

struct MemberFigures {
  std::uint32_t purchases = 0;  // n; refunds do not count
  std::uint32_t refunds = 0;
  EpochMs first_purchase{};       // meaningful when purchases > 0
  EpochMs last_purchase{};        // meaningful when purchases > 0
  Money net_total{};              // lifetime purchases minus refunds
  std::vector<DayActivity> days;  // ascending by day, sparse, within kDailyHistoryDays
  bool has_profile = false;       // a profile event was applied (lifecycle `prospect`)
  bool operator==(const MemberFigures&) const = default;
};

// The last `dedupe.window` event ids applied to a member, oldest overwritten first.
class RecentEventIds {
 public:
  bool contains(std::string_view event_id) const;
  void add(std::string_view event_id, std::uint32_t window);
  // In insertion order, oldest first (for encoding).
  std::vector<std::string> oldest_first() const;
  // Calls visit(const std::string&) on each id, oldest first, without copying them.
  template <typename Visit>
  void for_each_oldest_first(Visit&& visit) const {
    const std::size_t n = ids_.size();
    for (std::size_t i = next_; i < n; ++i) visit(ids_[i]);
    for (std::size_t i = 0; i < next_ && i < n; ++i) visit(ids_[i]);
  }
  std::size_t size() const { return ids_.size(); }
  void assign_oldest_first(std::vector<std::string> ids);
  bool empty() const { return ids_.empty(); }
  // Heap memory held: the id slots and the ids too long for std::string's own buffer.
  std::size_t heap_bytes() const;

 private:
  std::vector<std::string> ids_;
  std::uint32_t next_ = 0;  // slot overwritten next once the ring is full
};

// Purchases of one item category (replenish, SPEC 5.7).
struct CategoryFigures {
  std::string category;
  std::uint32_t purchases = 0;
  EpochMs first{};
  EpochMs last{};
  bool operator==(const CategoryFigures&) const = default;
};

// An action waiting for its due time. Ordered by (due, kind, category): the order in
// which one member's actions due at one instant fire.
struct PendingAction {
  EpochMs due{};
  ActionKind kind = ActionKind::follow_up;
  std::uint8_t step = 0;  // follow_up: 1, 2, 3
  std::string category;   // replenish
  EpochMs expected{};     // replenish: last_c + cycle
  bool operator==(const PendingAction&) const = default;
};

struct MemberState {
  MemberFigures figures;
  RecentEventIds recent_events;
  std::array<std::uint8_t, kFamilyCount> labels{};  // per FamilyId, an index of its labels
  // Families (bits 1 << FamilyId) whose members-per-segment counts include this member.
  std::uint8_t counted_families = 0;
  std::uint64_t seq = 0;         // transitions emitted so far, all families
  std::optional<EpochMs> timer;  // the pending timer's due time
  bool known = false;            // false until the first event is applied
  // The newest profile (larger ts; on equal ts the later applied): its ts and birthday
  // text as sent ("" when it has none). Meaningful when figures.has_profile.
  EpochMs profile_ts{};
  std::string birthday;
  std::vector<CategoryFigures> categories;     // sorted by category; with replenish enabled
  std::uint32_t actions_emitted = 0;           // k of the last action_id
  std::vector<PendingAction> pending_actions;  // sorted
  // With a ranked family enabled: purchase times at or after the oldest unswept
  // midnight (ascending), and the latest purchase time before them.
  std::vector<EpochMs> unswept_purchases;
  EpochMs swept_last_purchase{};

  std::uint8_t& label(FamilyId f) { return labels[static_cast<std::size_t>(f)]; }
  std::uint8_t label(FamilyId f) const { return labels[static_cast<std::size_t>(f)]; }
};

// Adds an accepted, non-duplicate event to the figures (SPEC 6). `day` is the event's
// calendar day at time.utc_offset. Independent of the order events arrive in. A profile
// only sets has_profile.
void add_to_figures(MemberFigures& figures, const PurchaseEvent& event, std::int32_t day);

}  // namespace segmentd
