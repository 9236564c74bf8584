// A calendar queue of (time, member) entries: the members' upcoming events, popped
// in (time, member) order.
//
// Time is cut into equal slots from `origin`. A push appends the entry to its
// slot's unsorted bucket; when the queue reaches a slot, the bucket is sorted once
// and popped front to back. Entries pushed into a slot already reached (short gaps)
// go to a small side heap, and entries past the last slot to an overflow heap that
// joins the side heap when the slots run out. So a push is an append and a pop is
// a cursor step, whatever the number of members, and the order in which entries
// will pop is known ahead (lookahead) for prefetching. Equal times pop in member
// order, so the pop sequence is a pure function of the pushes. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench/generator/civil_time.h"

namespace segmentd::gen {

struct QueueEntry {
  EpochMs ts;
  std::uint32_t member;
};

class TimeQueue {
 public:
  // Slots of `slot_width` ms covering [origin, origin + slot_width * slot_count).
  TimeQueue(EpochMs origin, EpochMs slot_width, std::size_t slot_count);

  void push(QueueEntry entry);
  bool empty() const { return size_ == 0; }
  // Both require !empty().
  const QueueEntry& top();
  QueueEntry pop();
  // The entry expected to pop `distance` pops from now (ignoring entries pushed
  // meanwhile), or null if not known yet: a prefetch hint.
  const QueueEntry* lookahead(std::size_t distance) const;

 private:
  // Ensures the earliest entry is in the sorted run or the side heap.
  void refill();
  bool run_has_minimum() const;

  EpochMs origin_;
  EpochMs slot_width_;
  std::vector<std::vector<QueueEntry>> slots_;
  std::vector<QueueEntry> run_;  // the reached slot, sorted; popped from run_pos_
  std::size_t run_pos_ = 0;
  std::vector<QueueEntry> side_;      // min-heap: pushed into reached slots
  std::vector<QueueEntry> overflow_;  // min-heap: entries past the last slot
  std::size_t next_slot_ = 0;         // first slot not reached yet
  std::size_t size_ = 0;
};

}  // namespace segmentd::gen
