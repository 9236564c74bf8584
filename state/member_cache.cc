#include "state/member_cache.h"

#include <algorithm>
#include <map>

namespace segmentd {

namespace {

// Recency is tracked in ages of this many loads: fine enough for LRU, and the age
// histogram built at eviction stays small.
constexpr std::uint64_t kLoadsPerAge = 1024;

// A rough count of the heap memory a cached member holds (node, key, vectors).
std::uint32_t estimate_bytes(const std::string& id, const MemberState& state) {
  std::size_t bytes = 64 + sizeof(MemberState) + id.capacity();
  bytes += state.figures.days.capacity() * sizeof(DayActivity);
  bytes += 32 * 40;  // dedupe ring upper bound for typical ids
  return static_cast<std::uint32_t>(bytes);
}

}  // namespace

MemberCache::MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes)
    : store_(store), stream_(stream), budget_bytes_(budget_bytes), batch_(store) {}

MemberState& MemberCache::load(std::string_view member_id) {
  auto it = entries_.find(member_id);
  if (it == entries_.end()) {
    it = entries_.emplace(std::string(member_id), Entry{}).first;
    Entry& entry = it->second;
    bool found = false;
    const Status s = store_.read_member(stream_, member_id, entry.state, found);
    if (!s.is_ok()) throw StateStoreError(s.message());
    entry.persisted_timer = entry.state.timer;
    entry.bytes = estimate_bytes(it->first, entry.state);
    resident_bytes_ += entry.bytes;
  }
  it->second.last_used = static_cast<std::uint32_t>(++load_count_ / kLoadsPerAge);
  last_loaded_ = &*it;
  return it->second.state;
}

void MemberCache::mark_changed() {
  if (last_loaded_ == nullptr || last_loaded_->second.changed) return;
  last_loaded_->second.changed = true;
  changed_.push_back(last_loaded_);
}

Status MemberCache::load_timers(TimerIndex& timers) {
  return store_.scan_timers(stream_, [&](EpochMs due, std::string_view member_id) {
    timers.add(due, member_id);
  });
}

Status MemberCache::commit(const StreamCheckpoint& checkpoint) {
  for (Map::value_type* changed : changed_) {
    Entry& entry = changed->second;
    batch_.put_member(stream_, changed->first, entry.state);
    batch_.move_timer(stream_, changed->first, entry.persisted_timer, entry.state.timer);
  }
  batch_.put_checkpoint(stream_, checkpoint);
  Status s = store_.commit(batch_);
  if (!s.is_ok()) {
    batch_.clear();  // the changes stay marked: the next commit writes them again
    return s;
  }
  for (Map::value_type* changed : changed_) {
    Entry& entry = changed->second;
    entry.changed = false;
    entry.persisted_timer = entry.state.timer;
    const std::uint32_t bytes = estimate_bytes(changed->first, entry.state);
    resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
    entry.bytes = bytes;
  }
  changed_.clear();
  if (resident_bytes_ > budget_bytes_) evict_over_budget();
  return Status::ok();
}

// Drops the least recently used members, a whole age at a time, down to 3/4 of the budget.
void MemberCache::evict_over_budget() {
  std::map<std::uint32_t, std::size_t> bytes_by_age;
  for (const auto& [id, entry] : entries_) bytes_by_age[entry.last_used] += entry.bytes;
  const std::size_t target = budget_bytes_ / 4 * 3;
  std::size_t remaining = resident_bytes_;
  std::uint32_t keep_from = 0;
  for (const auto& [age, bytes] : bytes_by_age) {
    if (remaining <= target) break;
    remaining -= bytes;
    keep_from = age + 1;
  }
  std::erase_if(entries_, [&](const Map::value_type& item) {
    return item.second.last_used < keep_from;
  });
  resident_bytes_ = remaining;
  last_loaded_ = nullptr;
}

}  // namespace segmentd
