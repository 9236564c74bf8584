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

// The last `dedupe.window` event ids applied to a member, oldest dropped first. Held
// packed in one buffer, oldest first, each id as its byte length (LEB128) followed by
// its bytes: one heap block per member, scanned front to back, and (being the member
// record's encoding of the ring, state/member_codec) written out by one copy.
class RecentEventIds {
 public:
  bool contains(std::string_view event_id) const;
  void add(std::string_view event_id, std::uint32_t window);
  // In insertion order, oldest first.
  std::vector<std::string> oldest_first() const;
  // Calls visit(std::string_view) on each id, oldest first.
  template <typename Visit>
  void for_each_oldest_first(Visit&& visit) const {
    for (std::size_t pos = 0; pos < packed_.size();) {
      const std::size_t n = read_length(pos);
      visit(std::string_view(packed_).substr(pos, n));
      pos += n;
    }
  }
  // The packed ids (see above).
  std::string_view packed() const { return packed_; }
  // Replaces the ids with `count` ids packed as packed() gives them. REQUIRES: `packed`
  // is well formed and holds exactly `count` ids.
  void assign_packed(std::uint32_t count, std::string_view packed);
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  // Heap memory held: the buffer, when it outgrows std::string's own.
  std::size_t heap_bytes() const;

 private:
  // The length at `pos`; moves `pos` past it.
  std::size_t read_length(std::size_t& pos) const {
    std::size_t n = 0;
    for (int shift = 0;; shift += 7) {
      const auto byte = static_cast<unsigned char>(packed_[pos++]);
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return n;
    }
  }

  std::string packed_;
  std::uint32_t count_ = 0;
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
