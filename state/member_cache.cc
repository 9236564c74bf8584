#include "state/member_cache.h"

#include <algorithm>
#include <map>

#include "state/changelog_record.h"

namespace segmentd {

namespace {

// Recency is tracked in ages of this many loads: fine enough for LRU, and the age
// histogram built at eviction stays small.
constexpr std::uint64_t kLoadsPerAge = 1024;

// Heap bytes of a string beyond its own object (none while it fits the small buffer).
std::size_t string_heap_bytes(const std::string& s) {
  return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

// The memory a cached member holds: its map node (entry, key, malloc overhead), up to two
// 16-byte slots of the map (at most half full) and the heap blocks of its id, vectors and
// strings, at their capacities.
std::uint32_t estimate_bytes(const std::string& id, const MemberState& state) {
  constexpr std::size_t kNodeOverhead = 2 * 16 + 16;
  std::size_t bytes = kNodeOverhead + sizeof(std::string) + sizeof(MemberState) + 64 +
                      string_heap_bytes(id) + string_heap_bytes(state.birthday);
  bytes += state.figures.days.capacity() * sizeof(DayActivity);
  bytes += state.recent_events.heap_bytes();
  bytes += state.categories.capacity() * sizeof(CategoryFigures);
  for (const CategoryFigures& c : state.categories) bytes += string_heap_bytes(c.category);
  bytes += state.pending_actions.capacity() * sizeof(PendingAction);
  for (const PendingAction& a : state.pending_actions) bytes += string_heap_bytes(a.category);
  bytes += state.unswept_purchases.capacity() * sizeof(EpochMs);
  return static_cast<std::uint32_t>(bytes);
}

}  // namespace

MemberCache::MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes,
                         ChangelogSink* changelog)
    : store_(store),
      stream_(stream),
      budget_bytes_(budget_bytes),
      batch_(store),
      changelog_(changelog) {}

MemberState& MemberCache::load(std::string_view member_id) {
  // The engine often loads the same member again (after firing timers, in the sweep).
  if (last_loaded_ != nullptr && last_loaded_->key == member_id) {
    last_loaded_->value.last_used = static_cast<std::uint32_t>(++load_count_ / kLoadsPerAge);
    return last_loaded_->value.state;
  }
  auto [it, inserted] = entries_.try_emplace(member_id);
  if (inserted) {
    Entry& entry = it->value;
    bool found = false;
    std::uint64_t digest = 0;
    const Status s = store_.read_member(stream_, member_id, entry.state, found, &digest);
    if (!s.is_ok()) throw StateStoreError(s.message());
    entry.persisted_timer = entry.state.timer;
    if (found) entry.persisted_digest = digest;
    entry.bytes = estimate_bytes(it->key, entry.state);
    resident_bytes_ += entry.bytes;
  }
  it->value.last_used = static_cast<std::uint32_t>(++load_count_ / kLoadsPerAge);
  last_loaded_ = it;
  return it->value.state;
}

MemberState MemberCache::peek(std::string_view member_id) {
  if (const auto* node = entries_.find(member_id)) return node->value.state;
  MemberState state;
  bool found = false;
  const Status s = store_.read_member(stream_, member_id, state, found);
  if (!s.is_ok()) throw StateStoreError(s.message());
  return state;
}

void MemberCache::mark_changed() {
  if (last_loaded_ == nullptr || last_loaded_->value.changed) return;
  last_loaded_->value.changed = true;
  changed_.push_back(last_loaded_);
}

std::vector<std::string> MemberCache::member_ids() {
  std::vector<std::string> ids;
  Status s = store_.scan_member_ids(stream_, [&](std::string_view id) { ids.emplace_back(id); });
  if (!s.is_ok()) throw StateStoreError(s.message());
  entries_.for_each([&](const Map::Node& node) {
    if (node.value.state.known) ids.push_back(node.key);
  });
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Status MemberCache::load_timers(TimerIndex& timers) {
  return restore_tally(
      [&](EpochMs due, std::string_view member_id) { timers.add(due, member_id); });
}

Status MemberCache::restore_tally(
    const std::function<void(EpochMs, std::string_view)>& visit_timer) {
  std::optional<StreamCheckpoint> checkpoint;
  Status s = store_.read_checkpoint(stream_, checkpoint);
  if (!s.is_ok()) return s;
  // One scan of the stream's member records counts them, sums their digests and finds
  // their timers (each record carries its member's timer).
  StoreTally found;
  MemberState decoded;
  s = store_.scan_members(stream_, [&](std::string_view member_id, std::string_view record) {
    ++found.members;
    found.member_digest += record_digest(member_id, record);
    std::string why;
    decoded = MemberState{};
    if (!decode_member(record, decoded, &why)) {
      return store_.corrupt("member '" + std::string(member_id) + "' of stream " +
                            std::to_string(stream_.value) + ": " + why);
    }
    if (decoded.timer) {
      ++found.timers;
      visit_timer(*decoded.timer, member_id);
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  // A checkpoint written before tallies existed vouches for nothing: adopt the store's.
  const StoreTally expected = checkpoint ? checkpoint->tally.value_or(found) : StoreTally{};
  const std::string stream = "stream " + std::to_string(stream_.value);
  const std::string source = checkpoint ? "its checkpoint" : "it has no checkpoint, which";
  if (found.members != expected.members) {
    return store_.corrupt(stream + " has " + std::to_string(found.members) +
                          " member records but " + source + " says " +
                          std::to_string(expected.members));
  }
  if (found.timers != expected.timers) {
    return store_.corrupt(stream + " has " + std::to_string(found.timers) + " timers but " +
                          source + " says " + std::to_string(expected.timers));
  }
  if (found.member_digest != expected.member_digest) {
    return store_.corrupt(stream + ": its member records differ from those " + source +
                          " counted (digest mismatch)");
  }
  tally_ = found;
  return Status::ok();
}

Status MemberCache::commit(const StreamCheckpoint& checkpoint) {
  Status s = stage(checkpoint);
  return s.is_ok() ? write_staged(checkpoint.source_position) : s;
}

void MemberCache::rewrite_in_changelog(const std::vector<std::string>& member_ids) {
  for (const std::string& id : member_ids) {
    load(id);
    if (last_loaded_->value.persisted_digest) {
      mark_changed();
    } else {
      tombstones_.push_back(id);
    }
  }
}

Status MemberCache::stage(const StreamCheckpoint& checkpoint) {
  Status s = stage_members(checkpoint);
  if (s.is_ok()) send_staged_checkpoint();
  return s;
}

Status MemberCache::stage_members(const StreamCheckpoint& checkpoint) {
  if (!tally_) {
    Status s = restore_tally([](EpochMs, std::string_view) {});
    if (!s.is_ok()) return s;
  }
  unstage();  // what an earlier stage() left, if its write never came
  const auto partition = static_cast<std::int32_t>(stream_.value);
  if (changelog_ != nullptr && seed_changelog_) {
    Status s = store_.scan_members(stream_, [&](std::string_view id, std::string_view record) {
      changelog_->changelog_put(partition, changelog_member_key(id), record);
      return Status::ok();
    });
    if (!s.is_ok()) return s;
  }
  if (changelog_ != nullptr) {
    for (const std::string& id : tombstones_) {
      changelog_->changelog_put(partition, changelog_member_key(id), std::nullopt);
    }
  }
  StoreTally tally = *tally_;
  // In key order: each memtable insert then lands next to the previous one.
  std::sort(changed_.begin(), changed_.end(),
            [](const Map::Node* a, const Map::Node* b) { return a->key < b->key; });
  for (Map::Node* changed : changed_) {
    Entry& entry = changed->value;
    const std::uint64_t digest = batch_.put_member(stream_, changed->key, entry.state);
    if (changelog_ != nullptr) {
      changelog_->changelog_put(partition, changelog_member_key(changed->key),
                                batch_.last_encoded());
    }
    digests_.push_back(digest);
    staged_timers_.push_back(entry.state.timer);
    entry.changed = false;  // a change from now on is the next commit's
    tally.member_digest += digest - entry.persisted_digest.value_or(0);
    if (!entry.persisted_digest) ++tally.members;
    if (entry.persisted_timer && !entry.state.timer) --tally.timers;
    if (!entry.persisted_timer && entry.state.timer) ++tally.timers;
  }
  staged_members_.swap(changed_);
  staged_ = checkpoint;
  staged_->tally = tally;
  if (changelog_ != nullptr) encode_checkpoint(staged_checkpoint_record_, *staged_);
  return Status::ok();
}

void MemberCache::send_staged_checkpoint() {
  if (changelog_ == nullptr || !staged_) return;
  changelog_->changelog_checkpoint(static_cast<std::int32_t>(stream_.value),
                                   kChangelogCheckpointKey, staged_checkpoint_record_);
}

void MemberCache::unstage() {
  for (Map::Node* node : staged_members_) {
    if (node->value.changed) continue;
    node->value.changed = true;
    changed_.push_back(node);
  }
  staged_members_.clear();
  digests_.clear();
  staged_timers_.clear();
  staged_checkpoint_record_.clear();
  staged_.reset();
  batch_.clear();
}

Status MemberCache::write_staged(const std::string& source_position, bool sync) {
  prepare_write(source_position);
  return finish_write(write_prepared(sync));
}

void MemberCache::prepare_write(const std::string& source_position) {
  staged_->source_position = source_position;
  batch_.put_checkpoint(stream_, *staged_);
}

Status MemberCache::write_prepared(bool sync) { return store_.commit(batch_, sync); }

Status MemberCache::finish_write(Status s) {
  if (!s.is_ok()) {
    unstage();  // the changes are marked again: the next commit writes them
    return s;
  }
  tally_ = staged_->tally;
  staged_.reset();
  seed_changelog_ = false;
  tombstones_.clear();
  for (std::size_t i = 0; i < staged_members_.size(); ++i) {
    Entry& entry = staged_members_[i]->value;
    entry.persisted_timer = staged_timers_[i];
    entry.persisted_digest = digests_[i];
    const std::uint32_t bytes = estimate_bytes(staged_members_[i]->key, entry.state);
    resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
    entry.bytes = bytes;
  }
  staged_members_.clear();
  digests_.clear();
  staged_timers_.clear();
  staged_checkpoint_record_.clear();
  if (resident_bytes_ > budget_bytes_) evict_over_budget();
  return Status::ok();
}

// Drops the least recently used members, a whole age at a time, down to 3/4 of the budget.
void MemberCache::evict_over_budget() {
  std::map<std::uint32_t, std::size_t> bytes_by_age;
  entries_.for_each(
      [&](const Map::Node& node) { bytes_by_age[node.value.last_used] += node.value.bytes; });
  const std::size_t target = budget_bytes_ / 4 * 3;
  std::size_t remaining = resident_bytes_;
  std::uint32_t keep_from = 0;
  for (const auto& [age, bytes] : bytes_by_age) {
    if (remaining <= target) break;
    remaining -= bytes;
    keep_from = age + 1;
  }
  // Members changed since the last write stay: the store does not have their state yet.
  entries_.erase_if([&](const Map::Node& node) {
    if (node.value.last_used >= keep_from || node.value.changed) return false;
    resident_bytes_ -= node.value.bytes;
    return true;
  });
  last_loaded_ = nullptr;
}

}  // namespace segmentd
