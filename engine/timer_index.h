// The pending timers of one stream, fired in order of (due time, member id bytewise)
// (SPEC 5.1). Each member has at most one pending timer; the engine keeps it equal to
// the member's MemberState::timer. Firing due timers takes the earliest entries, never a
// scan of all members. The state module fills the index at start-up from the members
// it restores.
//
// How: each member with a timer has a slot (its id, its current due time and version,
// found through an IdIndex). Setting a timer appends an entry (due, slot, version) to the
// bucket of its due time (about an hour wide) and makes the member's previous entry stale
// (its version no longer matches). Only the earliest bucket is sorted, when the clock
// reaches it; stale entries are skipped there and dropped in bulk when they outnumber the
// live ones. So set() is O(1) and an entry costs O(log b) for a bucket of b entries,
// against O(log n) node rebalancing in an ordered set of all n timers.
// Memory: about 64 bytes per member (slot and index) + 16 per entry, live or stale
// (stale entries never outnumber the live ones by more than a few thousand).
// Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/id_index.h"
#include "engine/units.h"

namespace segmentd {

struct TimerEntry {
  EpochMs due{};
  std::string member_id;
};

class TimerIndex {
 public:
  // Makes `due` the member's pending timer, replacing any; nullopt cancels it.
  void set(std::string_view member_id, std::optional<EpochMs> due);

  // Removes and returns the earliest pending timer if it is due at or before `clock`.
  std::optional<TimerEntry> pop_due(EpochMs clock);

  // Pending timers.
  std::size_t size() const { return pending_; }

 private:
  struct Slot {
    std::string member_id;  // empty while the slot is free
    std::int64_t due = 0;
    std::uint32_t version = 0;
    bool pending = false;
    bool release_listed = false;  // in cancelled_
  };
  struct Entry {
    std::int64_t due;
    std::uint32_t slot;
    std::uint32_t version;
  };

  static std::int64_t bucket_of(std::int64_t due);
  bool is_live(const Entry& entry) const;
  bool later(const Entry& a, const Entry& b) const;
  void push(const Entry& entry);
  bool take_next_bucket(EpochMs clock);
  void list_for_release(std::uint32_t slot);
  void drop_stale_entries_if_many();

  std::uint32_t find(std::string_view member_id) const;
  std::uint32_t add_slot(std::string_view member_id);
  void release(std::uint32_t slot);

  IdIndex index_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::map<std::int64_t, std::vector<Entry>> buckets_;  // unsorted, by bucket_of(due)
  std::vector<Entry> due_next_;  // the buckets up to due_next_bucket_, latest first
  std::int64_t due_next_bucket_ = std::numeric_limits<std::int64_t>::min();
  std::vector<std::uint32_t> cancelled_;  // slots to release once no entry names them
  std::size_t entries_ = 0;               // in buckets_ and due_next_, stale included
  std::size_t pending_ = 0;
};

}  // namespace segmentd
