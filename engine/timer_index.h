// The pending timers of one stream, fired in (due time, member id) order (SPEC 5.1).
//
// Each member has at most one timer; the engine keeps it and the member's
// MemberState::timer in step. The state module rebuilds the index at start-up from the
// member records (each carries its timer).
//
// Cost: O(1) amortised per change, no ordered structure on the hot path. A member's
// current due time is in its node of a flat hash map (engine/flat_id_map.h); every change
// appends an entry (due, the member's node) to an hour-wide bucket, unsorted, and leaves
// the member's previous entry in place, stale. An entry is live while its node still holds
// its due time, which it reads without a hash lookup. Only the earliest bucket is ever
// sorted, once timers are fired from it (entries added to it after that go to a small
// heap beside it); stale entries are skipped there. A member whose timer fires or is
// removed keeps its node (marked without a timer) so that stale entries can still point
// at it; stale entries and such nodes are all dropped at once when they outnumber the
// live timers. Firing never scans all members.
//
// Memory: per pending timer a map node and two slots (about 80 bytes with an id of at
// most 15 bytes) and one 24-byte entry, plus at most as many stale entries and nodes
// without a timer. Not thread-safe: owned by the stream's processing thread.
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

  // Hints that `member_id`'s timer will be changed soon: its map slot (step 0), then its
  // node (step 1). Change nothing.
  void prefetch(std::string_view member_id, int step) const {
    if (step == 0) due_by_member_.prefetch_slot(member_id);
    if (step == 1) due_by_member_.prefetch_node(member_id);
  }

  // Hints for a caller firing timers: the member id of the timer that the k-th pop_due()
  // after the next would give (k = 0: the next), as far as the earliest bucket's ordered
  // entries tell (a removed or moved timer's id may come back, an earlier late one is
  // missed; "" when it cannot tell); prefetch_upcoming(k) asks the CPU for that timer's
  // node, so that upcoming_member(k) later reads it from the cache. Change nothing.
  std::string_view upcoming_member(std::size_t k) const;
  void prefetch_upcoming(std::size_t k) const;

  // Pending timers.
  std::size_t size() const { return live_; }

 private:
  struct Timer {
    EpochMs due{};
    bool pending = false;  // false: fired or removed; the node waits to be dropped
  };
  using Node = FlatIdMap<Timer>::Node;
  struct Entry {
    EpochMs due{};
    std::uint64_t id_prefix = 0;  // id_order_prefix() of the member id: sorts without it
    Node* member = nullptr;
  };
  struct Bucket {
    std::vector<Entry> entries;  // once `ordered`: descending, the earliest last
    std::vector<Entry> late;     // added once `ordered`: a heap, the earliest in front
    bool ordered = false;
  };

  // The bucket of whole hour `hour`, created when absent; remembered in bucket_cache_
  // (std::map nodes stay put), so appends to recently used hours skip the tree.
  Bucket& bucket_at(std::int64_t hour);
  void forget_bucket(std::int64_t hour);
  static bool live(const Entry& entry) {
    return entry.member->value.pending && entry.member->value.due == entry.due;
  }
  void append(EpochMs due, Node& member);
  // The k-th entry from the end of the earliest bucket, once it is ordered; else null.
  const Entry* upcoming(std::size_t k) const;
  void drop_stale_entries();

  FlatIdMap<Timer> due_by_member_;
  std::map<std::int64_t, Bucket> buckets_;  // by due time in whole hours
  struct CachedBucket {
    std::int64_t hour = 0;
    Bucket* bucket = nullptr;
  };
  std::array<CachedBucket, 256> bucket_cache_{};  // by hour modulo 256
  std::size_t entries_ = 0;                       // in all buckets, stale ones included
  std::size_t live_ = 0;                          // nodes with a pending timer
};

}  // namespace segmentd
