// The pending timers of one stream, ordered by (due time, member id) (SPEC 5.1).
//
// Each member has at most one entry; the engine keeps the entry and the member's
// MemberState::timer in step. Firing due timers takes the smallest entries, never
// a scan of all members. The state module fills the index from its time-ordered
// timer column at start-up and persists changes through member states.
//
// Memory: one ordered-set node per pending timer (about 80 bytes with a short id).
// Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

struct TimerEntry {
  EpochMs due{};
  std::string member_id;
};

class TimerIndex {
 public:
  void add(EpochMs due, std::string_view member_id);
  void remove(EpochMs due, std::string_view member_id);
  // Moves a member's timer; either side may be absent.
  void move(std::string_view member_id, std::optional<EpochMs> from, std::optional<EpochMs> to);

  // Removes and returns the earliest entry if it is due at or before `clock`.
  std::optional<TimerEntry> pop_due(EpochMs clock);

  std::optional<EpochMs> earliest() const;
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  struct Key {
    EpochMs due;
    std::string member_id;
  };
  struct KeyView {
    EpochMs due;
    std::string_view member_id;
  };
  struct Order {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.due != b.due) return a.due < b.due;
      return std::string_view(a.member_id) < std::string_view(b.member_id);
    }
  };
  std::set<Key, Order> entries_;
};

}  // namespace segmentd
