#include "engine/timer_index.h"

#include <algorithm>

namespace segmentd {

namespace {

constexpr std::int64_t kBucketMs = 3'600'000;
// Stale entries are dropped once the entries are more than twice the live timers (and
// more than this, so small indexes are not rebuilt over and over).
constexpr std::size_t kMinEntriesToCompact = 4096;

std::int64_t bucket_of(EpochMs due) {
  return due.ms >= 0 ? due.ms / kBucketMs : -((-due.ms - 1) / kBucketMs) - 1;
}

bool later(const TimerEntry& a, const TimerEntry& b) {
  if (a.due != b.due) return a.due > b.due;
  return a.member_id > b.member_id;
}

}  // namespace

bool TimerIndex::live(const TimerEntry& entry) const {
  const auto* node = due_by_member_.find(entry.member_id);
  return node != nullptr && node->value == entry.due;
}

TimerIndex::Bucket& TimerIndex::bucket_at(std::int64_t hour) {
  CachedBucket& cached = bucket_cache_[static_cast<std::uint64_t>(hour) % bucket_cache_.size()];
  if (cached.bucket == nullptr || cached.hour != hour) cached = {hour, &buckets_[hour]};
  return *cached.bucket;
}

void TimerIndex::forget_bucket(std::int64_t hour) {
  CachedBucket& cached = bucket_cache_[static_cast<std::uint64_t>(hour) % bucket_cache_.size()];
  if (cached.hour == hour) cached = {};
}

void TimerIndex::append(EpochMs due, std::string_view member_id) {
  Bucket& bucket = bucket_at(bucket_of(due));
  if (bucket.ordered) {
    bucket.late.push_back(TimerEntry{due, std::string(member_id)});
    std::push_heap(bucket.late.begin(), bucket.late.end(), later);
  } else {
    bucket.entries.push_back(TimerEntry{due, std::string(member_id)});
  }
  ++entries_;
  if (entries_ > kMinEntriesToCompact && entries_ > 2 * due_by_member_.size()) {
    drop_stale_entries();
  }
}

// Rebuilds the buckets from the live timers: O(live timers), after at least as many
// changes, so O(1) amortised per change.
void TimerIndex::drop_stale_entries() {
  buckets_.clear();
  bucket_cache_.fill({});
  due_by_member_.for_each([&](const FlatIdMap<EpochMs>::Node& node) {
    buckets_[bucket_of(node.value)].entries.push_back(TimerEntry{node.value, node.key});
  });
  entries_ = due_by_member_.size();
}

void TimerIndex::add(EpochMs due, std::string_view member_id) {
  auto [node, inserted] = due_by_member_.try_emplace(member_id);
  if (!inserted && node->value == due) return;
  node->value = due;
  append(due, member_id);
}

void TimerIndex::remove(EpochMs due, std::string_view member_id) {
  const auto* node = due_by_member_.find(member_id);
  if (node != nullptr && node->value == due) due_by_member_.erase(member_id);
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

std::optional<TimerEntry> TimerIndex::pop_due(EpochMs clock) {
  while (!buckets_.empty()) {
    auto first = buckets_.begin();
    Bucket& bucket = first->second;
    if (!bucket.ordered) {
      const std::size_t before = bucket.entries.size();
      std::erase_if(bucket.entries, [&](const TimerEntry& e) { return !live(e); });
      entries_ -= before - bucket.entries.size();
      std::sort(bucket.entries.begin(), bucket.entries.end(), later);
      bucket.ordered = true;
    }
    while (!bucket.entries.empty() || !bucket.late.empty()) {
      // The earlier of the sorted entries' last and the late heap's top.
      const bool from_late =
          bucket.entries.empty() ||
          (!bucket.late.empty() && later(bucket.entries.back(), bucket.late.front()));
      const TimerEntry& earliest = from_late ? bucket.late.front() : bucket.entries.back();
      const bool is_live = live(earliest);  // else moved or removed since it was added
      if (is_live && earliest.due > clock) return std::nullopt;
      if (from_late) std::pop_heap(bucket.late.begin(), bucket.late.end(), later);
      std::vector<TimerEntry>& from = from_late ? bucket.late : bucket.entries;
      TimerEntry entry = std::move(from.back());
      from.pop_back();
      --entries_;
      if (!is_live) continue;
      due_by_member_.erase(entry.member_id);
      return entry;
    }
    forget_bucket(first->first);
    buckets_.erase(first);
  }
  return std::nullopt;
}

}  // namespace segmentd
