#include "engine/timer_index.h"

#include <algorithm>

namespace segmentd {

namespace {

constexpr std::int64_t kBucketMs = 3'600'000;
// Stale entries and nodes without a timer are dropped once they outnumber the live
// timers (and are more than this, so small indexes are not rebuilt over and over).
constexpr std::size_t kMinGarbageToCompact = 4096;

std::int64_t bucket_of(EpochMs due) {
  return due.ms >= 0 ? due.ms / kBucketMs : -((-due.ms - 1) / kBucketMs) - 1;
}

// (due, member id) descending; the ids are read only where due and prefix are equal.
template <typename Entry>
bool later(const Entry& a, const Entry& b) {
  if (a.due != b.due) return a.due > b.due;
  if (a.id_prefix != b.id_prefix) return a.id_prefix > b.id_prefix;
  return a.member->key > b.member->key;
}

}  // namespace

TimerIndex::Bucket& TimerIndex::bucket_at(std::int64_t hour) {
  CachedBucket& cached = bucket_cache_[static_cast<std::uint64_t>(hour) % bucket_cache_.size()];
  if (cached.bucket == nullptr || cached.hour != hour) cached = {hour, &buckets_[hour]};
  return *cached.bucket;
}

void TimerIndex::forget_bucket(std::int64_t hour) {
  CachedBucket& cached = bucket_cache_[static_cast<std::uint64_t>(hour) % bucket_cache_.size()];
  if (cached.hour == hour) cached = {};
}

void TimerIndex::append(EpochMs due, Node& member) {
  Bucket& bucket = bucket_at(bucket_of(due));
  const Entry entry{due, id_order_prefix(member.key), &member};
  if (bucket.ordered) {
    bucket.late.push_back(entry);
    std::push_heap(bucket.late.begin(), bucket.late.end(), later<Entry>);
  } else {
    bucket.entries.push_back(entry);
  }
  ++entries_;
  // Garbage: stale entries plus nodes without a timer (each pending timer has one live
  // entry and one node).
  const std::size_t garbage = entries_ + due_by_member_.size() - 2 * live_;
  if (garbage > kMinGarbageToCompact && garbage > 2 * live_) drop_stale_entries();
}

// Rebuilds the map and buckets from the live timers: O(entries and nodes), after at least
// as many changes, so O(1) amortised per change.
void TimerIndex::drop_stale_entries() {
  buckets_.clear();
  bucket_cache_.fill({});
  due_by_member_.erase_if([](const Node& node) { return !node.value.pending; });
  due_by_member_.for_each([&](Node& node) {
    buckets_[bucket_of(node.value.due)].entries.push_back(
        Entry{node.value.due, id_order_prefix(node.key), &node});
  });
  entries_ = live_;
}

void TimerIndex::add(EpochMs due, std::string_view member_id) {
  auto [node, inserted] = due_by_member_.try_emplace(member_id);
  Timer& timer = node->value;
  if (timer.pending && timer.due == due) return;
  if (!timer.pending) ++live_;
  timer = Timer{due, true};
  append(due, *node);
}

void TimerIndex::remove(EpochMs due, std::string_view member_id) {
  auto* node = due_by_member_.find(member_id);
  if (node == nullptr || !node->value.pending || node->value.due != due) return;
  node->value.pending = false;
  --live_;
}

void TimerIndex::move(std::string_view member_id, std::optional<EpochMs> from,
                      std::optional<EpochMs> to) {
  if (from == to) return;
  if (to) {
    add(*to, member_id);
  } else if (from) {
    remove(*from, member_id);
  }
}

const TimerIndex::Entry* TimerIndex::upcoming(std::size_t k) const {
  if (buckets_.empty()) return nullptr;
  const Bucket& bucket = buckets_.begin()->second;
  if (!bucket.ordered || bucket.entries.size() <= k) return nullptr;
  return &bucket.entries[bucket.entries.size() - 1 - k];
}

std::string_view TimerIndex::upcoming_member(std::size_t k) const {
  const Entry* entry = upcoming(k);
  return entry == nullptr ? std::string_view{} : std::string_view(entry->member->key);
}

void TimerIndex::prefetch_upcoming(std::size_t k) const {
  if (const Entry* entry = upcoming(k)) __builtin_prefetch(entry->member);
}

std::optional<TimerEntry> TimerIndex::pop_due(EpochMs clock) {
  while (!buckets_.empty()) {
    auto first = buckets_.begin();
    Bucket& bucket = first->second;
    if (!bucket.ordered) {
      const std::size_t before = bucket.entries.size();
      std::erase_if(bucket.entries, [](const Entry& e) { return !live(e); });
      entries_ -= before - bucket.entries.size();
      std::sort(bucket.entries.begin(), bucket.entries.end(), later<Entry>);
      bucket.ordered = true;
    }
    while (!bucket.entries.empty() || !bucket.late.empty()) {
      // The earlier of the sorted entries' last and the late heap's top.
      const bool from_late =
          bucket.entries.empty() ||
          (!bucket.late.empty() && later(bucket.entries.back(), bucket.late.front()));
      const Entry earliest = from_late ? bucket.late.front() : bucket.entries.back();
      const bool is_live = live(earliest);  // else moved or removed since it was added
      if (is_live && earliest.due > clock) return std::nullopt;
      if (from_late) std::pop_heap(bucket.late.begin(), bucket.late.end(), later<Entry>);
      (from_late ? bucket.late : bucket.entries).pop_back();
      --entries_;
      if (!is_live) continue;
      // The node stays (stale entries may point at it) until the next compaction.
      earliest.member->value.pending = false;
      --live_;
      return TimerEntry{earliest.due, earliest.member->key};
    }
    forget_bucket(first->first);
    buckets_.erase(first);
  }
  return std::nullopt;
}

}  // namespace segmentd
