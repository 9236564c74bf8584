#include "engine/timer_index.h"

#include <algorithm>

namespace segmentd {

namespace {

constexpr int kBucketShift = 22;  // buckets of 2^22 ms, about 70 minutes
// Stale entries and unreleased ids tolerated beyond one per pending timer.
constexpr std::size_t kSlack = 4096;

}  // namespace

std::int64_t TimerIndex::bucket_of(std::int64_t due) { return due >> kBucketShift; }

bool TimerIndex::is_live(const Entry& entry) const {
  const Slot& slot = slots_[entry.slot];
  return slot.pending && slot.version == entry.version;
}

// True when `a` fires after `b`.
bool TimerIndex::later(const Entry& a, const Entry& b) const {
  if (a.due != b.due) return a.due > b.due;
  return slots_[a.slot].member_id > slots_[b.slot].member_id;
}

std::uint32_t TimerIndex::find(std::string_view member_id) const {
  return index_.find(
      member_id, [this](std::uint32_t slot) -> std::string_view { return slots_[slot].member_id; });
}

std::uint32_t TimerIndex::add_slot(std::string_view member_id) {
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  slots_[slot].member_id.assign(member_id);
  index_.insert(member_id, slot);
  return slot;
}

// Keeps the slot's version, so that no entry made before can look live again.
void TimerIndex::release(std::uint32_t slot) {
  index_.erase(slots_[slot].member_id, slot);
  std::string().swap(slots_[slot].member_id);
  free_slots_.push_back(slot);
}

void TimerIndex::set(std::string_view member_id, std::optional<EpochMs> due) {
  if (!due) {
    const std::uint32_t slot = find(member_id);
    if (slot == IdIndex::kNoSlot) return;
    if (slots_[slot].pending) {
      slots_[slot].pending = false;
      --pending_;
    }
    list_for_release(slot);
  } else {
    std::uint32_t slot = find(member_id);
    if (slot == IdIndex::kNoSlot) slot = add_slot(member_id);
    Slot& s = slots_[slot];
    if (s.pending && s.due == due->ms) return;
    if (!s.pending) ++pending_;
    s.due = due->ms;
    s.pending = true;
    ++s.version;
    push(Entry{s.due, slot, s.version});
  }
  drop_stale_entries_if_many();
}

std::optional<TimerEntry> TimerIndex::pop_due(EpochMs clock) {
  for (;;) {
    if (due_next_.empty()) {
      if (!take_next_bucket(clock)) return std::nullopt;
      continue;  // the bucket may have held stale entries only
    }
    const Entry entry = due_next_.back();
    const bool live = is_live(entry);
    if (live && entry.due > clock.ms) return std::nullopt;
    due_next_.pop_back();
    --entries_;
    if (!live) continue;
    slots_[entry.slot].pending = false;
    --pending_;
    list_for_release(entry.slot);  // unless set() gives it a new timer first
    return TimerEntry{EpochMs{entry.due}, slots_[entry.slot].member_id};
  }
}

void TimerIndex::push(const Entry& entry) {
  ++entries_;
  const std::int64_t bucket = bucket_of(entry.due);
  if (bucket > due_next_bucket_) {
    buckets_[bucket].push_back(entry);
    return;
  }
  const auto at = std::lower_bound(due_next_.begin(), due_next_.end(), entry,
                                   [this](const Entry& a, const Entry& b) { return later(a, b); });
  due_next_.insert(at, entry);
}

// Moves the earliest bucket, if the clock has reached it, into due_next_ and sorts it.
bool TimerIndex::take_next_bucket(EpochMs clock) {
  if (buckets_.empty() || buckets_.begin()->first > bucket_of(clock.ms)) return false;
  auto node = buckets_.extract(buckets_.begin());
  due_next_bucket_ = node.key();
  due_next_.swap(node.mapped());
  entries_ -= std::erase_if(due_next_, [this](const Entry& e) { return !is_live(e); });
  std::sort(due_next_.begin(), due_next_.end(),
            [this](const Entry& a, const Entry& b) { return later(a, b); });
  return true;
}

// A slot without a pending timer keeps its id until no stale entry can name it any more.
void TimerIndex::list_for_release(std::uint32_t slot) {
  if (slots_[slot].release_listed) return;
  slots_[slot].release_listed = true;
  cancelled_.push_back(slot);
}

void TimerIndex::drop_stale_entries_if_many() {
  if (entries_ + cancelled_.size() <= 2 * pending_ + kSlack) return;
  const auto stale = [this](const Entry& e) { return !is_live(e); };
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    std::erase_if(it->second, stale);
    it->second.shrink_to_fit();
    it = it->second.empty() ? buckets_.erase(it) : std::next(it);
  }
  std::erase_if(due_next_, stale);
  entries_ = pending_;  // one live entry per pending timer
  for (std::uint32_t slot : cancelled_) {
    slots_[slot].release_listed = false;
    if (!slots_[slot].pending) release(slot);
  }
  cancelled_.clear();
}

}  // namespace segmentd
