// The pending timers of one stream, fired in (due time, member id) order (SPEC 5.1).
//
// Each member has at most one timer; the engine keeps it and the member's
// MemberState::timer in step. The state module rebuilds the index at start-up from the
// member records (each carries its timer).
//
// Cost: O(1) amortised per change, no ordered structure on the hot path. A member's
// current due time is in a flat hash map (engine/flat_id_map.h); every change appends an entry
// (due, member id) to an hour-wide bucket, unsorted, and leaves the member's previous entry in
// place, stale. Only the earliest bucket is ever sorted, once timers are fired from it (entries
// added to it after that go to a small heap beside it); stale entries (no longer the member's due
// time) are skipped there, and all are dropped at once when they outnumber the live ones. Firing
// never scans all members.
//
// Memory: per pending timer a map node and slots and one entry (about 130 bytes with a
// short id),
// plus at most as many stale entries. Not thread-safe: owned by the stream's processing
// thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/flat_id_map.h"
#include "engine/units.h"

namespace segmentd {

struct TimerEntry {
  EpochMs due{};
  std::string member_id;
};

class TimerIndex {
 public:
  // Sets the member's timer to `due` (replacing any other of the member's).
  void add(EpochMs due, std::string_view member_id);
  // Removes the member's timer if it is due at `due`.
  void remove(EpochMs due, std::string_view member_id);
  // Moves a member's timer; either side may be absent.
  void move(std::string_view member_id, std::optional<EpochMs> from, std::optional<EpochMs> to);

  // Removes and returns the earliest timer, by (due, member id), if it is due at or
  // before `clock`.
  std::optional<TimerEntry> pop_due(EpochMs clock);

  std::size_t size() const { return due_by_member_.size(); }

 private:
  struct Bucket {
    std::vector<TimerEntry> entries;  // once `ordered`: descending, the earliest last
    std::vector<TimerEntry> late;     // added once `ordered`: a heap, the earliest in front
    bool ordered = false;
  };

  // The bucket of whole hour `hour`, created when absent; remembered in bucket_cache_
  // (std::map nodes stay put), so appends to recently used hours skip the tree.
  Bucket& bucket_at(std::int64_t hour);
  void forget_bucket(std::int64_t hour);
  bool live(const TimerEntry& entry) const;
  void append(EpochMs due, std::string_view member_id);
  void drop_stale_entries();

  FlatIdMap<EpochMs> due_by_member_;
  std::map<std::int64_t, Bucket> buckets_;  // by due time in whole hours
  struct CachedBucket {
    std::int64_t hour = 0;
    Bucket* bucket = nullptr;
  };
  std::array<CachedBucket, 256> bucket_cache_{};  // by hour modulo 256
  std::size_t entries_ = 0;                       // in all buckets, stale ones included
};

}  // namespace segmentd
