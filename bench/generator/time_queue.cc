#include "bench/generator/time_queue.h"

#include <algorithm>
#include <utility>

namespace segmentd::gen {
namespace {

// Function objects (not function pointers) so that sorting and heap operations
// inline the comparison.
constexpr auto earlier = [](const QueueEntry& a, const QueueEntry& b) {
  return a.ts != b.ts ? a.ts < b.ts : a.member < b.member;
};

// std heap functions build max-heaps; "later" as the ordering makes a min-heap.
constexpr auto later = [](const QueueEntry& a, const QueueEntry& b) { return earlier(b, a); };

void heap_push(std::vector<QueueEntry>& heap, QueueEntry entry) {
  heap.push_back(entry);
  std::push_heap(heap.begin(), heap.end(), later);
}

QueueEntry heap_pop(std::vector<QueueEntry>& heap) {
  std::pop_heap(heap.begin(), heap.end(), later);
  const QueueEntry entry = heap.back();
  heap.pop_back();
  return entry;
}

}  // namespace

TimeQueue::TimeQueue(EpochMs origin, EpochMs slot_width, std::size_t slot_count)
    : origin_(origin), slot_width_(slot_width), slots_(slot_count) {}

void TimeQueue::push(QueueEntry entry) {
  ++size_;
  const EpochMs offset = entry.ts - origin_;
  const auto slot = offset < 0 ? 0 : static_cast<std::size_t>(offset / slot_width_);
  if (slot < next_slot_ || next_slot_ == slots_.size()) {
    heap_push(side_, entry);
  } else if (slot < slots_.size()) {
    slots_[slot].push_back(entry);
  } else {
    heap_push(overflow_, entry);
  }
}

const QueueEntry& TimeQueue::top() {
  refill();
  return run_has_minimum() ? run_[run_pos_] : side_.front();
}

QueueEntry TimeQueue::pop() {
  refill();
  --size_;
  return run_has_minimum() ? run_[run_pos_++] : heap_pop(side_);
}

const QueueEntry* TimeQueue::lookahead(std::size_t distance) const {
  const std::size_t pos = run_pos_ + distance;
  return pos < run_.size() ? &run_[pos] : nullptr;
}

bool TimeQueue::run_has_minimum() const {
  if (run_pos_ == run_.size()) return false;
  return side_.empty() || earlier(run_[run_pos_], side_.front());
}

void TimeQueue::refill() {
  while (run_pos_ == run_.size() && side_.empty() && next_slot_ < slots_.size()) {
    run_ = std::exchange(slots_[next_slot_++], {});
    run_pos_ = 0;
    std::sort(run_.begin(), run_.end(), earlier);
  }
  // Once every slot is reached, later pushes go to the side heap: move the overflow
  // there first so the run and the side heap alone hold the minimum.
  if (next_slot_ == slots_.size() && !overflow_.empty()) {
    for (const QueueEntry& entry : overflow_) heap_push(side_, entry);
    overflow_ = {};
  }
}

}  // namespace segmentd::gen
