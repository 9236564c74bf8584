#include "state/member_cache.h"

#include <algorithm>
#include <map>

#include "state/changelog_record.h"
#include "state/member_codec.h"

namespace segmentd {

namespace {

// The bytes malloc takes for a block of `n` bytes: an 8-byte header, rounded up to 16,
// at least 32.
std::size_t heap_block(std::size_t n) { return std::max<std::size_t>(32, (n + 8 + 15) & ~15ul); }

// Orders (id_order_prefix(id), node) pairs by the nodes' ids, comparing the ids only where the
// prefixes are equal.
constexpr auto by_key = [](const auto& a, const auto& b) {
  return a.first != b.first ? a.first < b.first : a.second->key < b.second->key;
};

// Heap bytes of a record.
template <typename Record>
std::size_t record_heap_bytes(const Record& record) {
  return record.empty() ? 0 : heap_block(record.view().size());
}

// Heap bytes of a string beyond its own object (none while it fits the small buffer).
std::size_t string_heap_bytes(const std::string& s) {
  return s.capacity() > std::string().capacity() ? heap_block(s.capacity() + 1) : 0;
}

// Asks the CPU for the cache lines of the first `bytes` of the block at `data` (a hint:
// no load, no fault). The caller's loop reads them a few iterations later.
void prefetch_lines(const void* data, std::size_t bytes) {
  const char* at = static_cast<const char*>(data);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(at + offset);
}

template <typename T>
std::size_t vector_heap_bytes(const std::vector<T>& v) {
  return v.capacity() == 0 ? 0 : heap_block(v.capacity() * sizeof(T));
}

// What a cached member holds whether decoded or encoded: its map node and id, and two
// slots of the map (at most half full).
template <typename Node>
std::size_t member_base_bytes(const Node& node) {
  return heap_block(sizeof(Node)) + 2 * 16 + string_heap_bytes(node.key);
}

// What a decoded member holds: the above, its committed record when it keeps one, its
// MemberState and the state's heap blocks, at their capacities.
template <typename Node>
std::uint32_t decoded_bytes(const Node& node) {
  const MemberState& state = *node.value.state;
  std::size_t bytes = member_base_bytes(node) + record_heap_bytes(node.value.record) +
                      heap_block(sizeof(MemberState)) + string_heap_bytes(state.birthday);
  bytes += vector_heap_bytes(state.figures.days);
  bytes += state.recent_events.heap_bytes();
  bytes += vector_heap_bytes(state.categories);
  for (const CategoryFigures& c : state.categories) bytes += string_heap_bytes(c.category);
  bytes += vector_heap_bytes(state.pending_actions);
  for (const PendingAction& a : state.pending_actions) bytes += string_heap_bytes(a.category);
  bytes += vector_heap_bytes(state.unswept_purchases);
  return static_cast<std::uint32_t>(bytes);
}

// What an encoded member holds: the base and its record's block.
template <typename Node>
std::uint32_t encoded_bytes(const Node& node) {
  return static_cast<std::uint32_t>(member_base_bytes(node) + record_heap_bytes(node.value.record));
}

}  // namespace

MemberCache::MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes,
                         ChangelogSink* changelog, std::size_t commit_batch_bytes)
    : store_(store),
      stream_(stream),
      budget_bytes_(budget_bytes),
      commit_batch_bytes_(commit_batch_bytes),
      batch_(store),
      changelog_(changelog) {}

MemberState& MemberCache::load(std::string_view member_id) {
  // The engine often loads the same member again (after firing timers, in the sweep).
  if (last_loaded_ != nullptr && last_loaded_->key == member_id) {
    if (last_loaded_->value.staging) stage_early(*last_loaded_);
    return *last_loaded_->value.state;  // the most recent already
  }
  auto [it, inserted] = entries_.try_emplace(member_id);
  if (inserted) {
    Entry& entry = it->value;
    entry.node = it;
    entry.state = std::make_unique<MemberState>();
    bool found = false;
    std::uint64_t digest = 0;
    read_stored(member_id, *entry.state, found, &digest);
    entry.had_timer = entry.state->timer.has_value();
    entry.has_record = found;
    entry.persisted_digest = digest;
    entry.bytes = decoded_bytes(*it);
    resident_bytes_ += entry.bytes;
  } else if (it->value.state == nullptr) {
    decode_entry(*it);
  } else if (it->value.staging) {
    stage_early(*it);
  }
  it->value.recency.unlink();
  decoded_.push_front(it->value);
  last_loaded_ = it;
  return *it->value.state;
}

void MemberCache::prefetch(std::string_view member_id, int step) {
  if (member_id.empty()) return;
  if (step == 0) return entries_.prefetch_slot(member_id);
  if (step == 1) return entries_.prefetch_node(member_id);
  const Map::Node* node = entries_.find(member_id);
  if (node == nullptr) return;
  if (node->value.state != nullptr) {
    __builtin_prefetch(node->value.state.get());
    return;
  }
  const std::string_view record = node->value.record.view();
  prefetch_lines(record.data(), std::min<std::size_t>(record.size(), 256));
}

void MemberCache::decode_entry(Map::Node& node) {
  Entry& entry = node.value;
  auto state = std::make_unique<MemberState>();
  std::string why;
  if (!decode_member(entry.record.view(), *state, &why)) {
    throw StateStoreError("member '" + node.key + "' held encoded does not decode: " + why);
  }
  entry.state = std::move(state);  // the record stays: encoding it again needs no work
  --encoded_members_;
  const std::uint32_t bytes = decoded_bytes(node);
  resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
  entry.bytes = bytes;
}

MemberState MemberCache::peek(std::string_view member_id) {
  MemberState state;
  return read_uncached(member_id, state, Decode::whole);
}

const MemberState& MemberCache::read_figures(std::string_view member_id) {
  return read_uncached(member_id, read_scratch_, Decode::figures);
}

const MemberState& MemberCache::read_uncached(std::string_view member_id, MemberState& into,
                                              Decode decode) {
  if (const auto* node = entries_.find(member_id)) {
    if (node->value.state != nullptr) return *node->value.state;
    std::string why;
    const std::string_view record = node->value.record.view();
    if (!(decode == Decode::figures ? decode_member_figures(record, into, &why)
                                    : decode_member(record, into, &why))) {
      throw StateStoreError("member '" + node->key + "' held encoded does not decode: " + why);
    }
    return into;
  }
  bool found = false;
  read_stored(member_id, into, found, nullptr, decode);
  if (!found) into = MemberState{};
  return into;
}

void MemberCache::read_stored(std::string_view member_id, MemberState& state, bool& found,
                              std::uint64_t* digest, Decode decode) {
  found = false;
  if (stored_ids_ && !stored_ids_->may_be_stored(member_id)) return;
  const Status s = decode == Decode::figures
                       ? store_.read_member_figures(stream_, member_id, state, found)
                       : store_.read_member(stream_, member_id, state, found, digest);
  if (!s.is_ok()) throw StateStoreError(s.message());
}

void MemberCache::mark_changed() {
  if (last_loaded_ == nullptr) return;
  Entry& entry = last_loaded_->value;
  if (entry.changed) return;
  entry.changed = true;
  changed_.push_back(last_loaded_);
  entry.record = RecordBytes();  // stale now; the commit brings the new one
  // What it holds now (a change grows its days, dedupe ring, actions...), so that
  // over_budget() sees members grow between commits. Measured at its first change since
  // the last commit, and again when the commit completes: its later changes before that
  // (a few bytes each) are not walked again.
  const std::uint32_t bytes = decoded_bytes(*last_loaded_);
  resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
  entry.bytes = bytes;
}

std::vector<std::string> MemberCache::member_ids() {
  std::vector<std::string> ids;
  Status s = store_.scan_member_ids(stream_, [&](std::string_view id) { ids.emplace_back(id); });
  if (!s.is_ok()) throw StateStoreError(s.message());
  entries_.for_each([&](const Map::Node& node) {
    // An encoded member has a record in the store (the scan found it).
    if (node.value.state != nullptr && node.value.state->known) ids.push_back(node.key);
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
  // A checkpoint of format 2 summed legacy digests: checked with those, then replaced.
  const bool legacy = checkpoint && checkpoint->tally && checkpoint->tally->legacy_digest;
  std::uint64_t legacy_digest = 0;
  MemberState decoded;
  s = store_.scan_members(stream_, [&](std::string_view member_id, std::string_view record) {
    ++found.members;
    if (stored_ids_) stored_ids_->add(member_id);
    found.member_digest += record_digest(member_id, record);
    if (legacy) legacy_digest += legacy_record_digest(member_id, record);
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
  if ((legacy ? legacy_digest : found.member_digest) != expected.member_digest) {
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
    if (last_loaded_->value.has_record) {
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
  return begin_stage(checkpoint, SIZE_MAX);
}

Status MemberCache::begin_stage(const StreamCheckpoint& checkpoint, std::size_t members) {
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
  // In key order: each memtable insert then lands next to the previous one. Sorted by
  // the ids' prefixes first, which most comparisons settle without reading two member
  // nodes (a cache miss each at a million members).
  sort_keys_.clear();
  for (Map::Node* node : changed_) sort_keys_.emplace_back(id_order_prefix(node->key), node);
  std::sort(sort_keys_.begin(), sort_keys_.end(), by_key);
  for (std::size_t i = 0; i < sort_keys_.size(); ++i) changed_[i] = sort_keys_[i].second;
  staged_members_.swap(changed_);
  const std::size_t count = staged_members_.size();
  digests_.assign(count, 0);
  staged_with_timer_.assign(count, false);
  staged_records_.clear();
  staged_records_.resize(count);
  for (Map::Node* node : staged_members_) {
    node->value.changed = false;  // a change from now on is the next commit's
    node->value.staging = true;
  }
  next_to_stage_ = 0;
  left_to_stage_ = count;
  staged_record_bytes_ = 0;
  staged_tally_ = *tally_;
  staged_ = checkpoint;
  if (count == 0) complete_stage();
  stage_some(members);
  return Status::ok();
}

void MemberCache::stage_some(std::size_t members) {
  for (std::size_t done = 0; done < members && next_to_stage_ < staged_members_.size();
       ++next_to_stage_) {
    prefetch_staged(next_to_stage_);
    if (!staged_members_[next_to_stage_]->value.staging) continue;  // staged early
    stage_member(next_to_stage_);
    ++done;
  }
}

// How far ahead of the member it works on a commit asks the CPU for the next members'
// memory, in three steps as replay's read-ahead does: the map node, then the state the
// node points at, then the state's days and dedupe ring, which encoding reads. At a
// million members each of them is a cache miss, and encoding one member stopped for them
// in turn (docs/PERFORMANCE.md, "A commit asks for its members' memory ahead").
constexpr std::size_t kStagedNodeAhead = 8;
constexpr std::size_t kStagedStateAhead = 4;
constexpr std::size_t kStagedDataAhead = 2;

void MemberCache::prefetch_staged(std::size_t index) const {
  const std::size_t count = staged_members_.size();
  if (index + kStagedNodeAhead < count) {
    prefetch_lines(staged_members_[index + kStagedNodeAhead], 128);
  }
  if (index + kStagedStateAhead < count) {
    const MemberState* state = staged_members_[index + kStagedStateAhead]->value.state.get();
    if (state != nullptr) prefetch_lines(state, sizeof(MemberState));
  }
  if (index + kStagedDataAhead < count) {
    const MemberState* state = staged_members_[index + kStagedDataAhead]->value.state.get();
    if (state != nullptr) {
      __builtin_prefetch(state->figures.days.data());
      __builtin_prefetch(state->recent_events.packed().data());
    }
  }
}

void MemberCache::stage_member(std::size_t index) {
  Map::Node& node = *staged_members_[index];
  Entry& entry = node.value;
  const std::uint64_t digest = batch_.put_member(stream_, node.key, *entry.state);
  if (stored_ids_ && !entry.has_record) stored_ids_->add(node.key);  // before it can be dropped
  if (changelog_ != nullptr) {
    changelog_->changelog_put(static_cast<std::int32_t>(stream_.value),
                              changelog_member_key(node.key), batch_.last_encoded());
  }
  const bool has_timer = entry.state->timer.has_value();
  digests_[index] = digest;
  staged_with_timer_[index] = has_timer;
  staged_records_[index] = RecordBytes(batch_.last_encoded());
  entry.staging = false;
  staged_tally_.member_digest += digest - (entry.has_record ? entry.persisted_digest : 0);
  if (!entry.has_record) ++staged_tally_.members;
  if (entry.had_timer && !has_timer) --staged_tally_.timers;
  if (!entry.had_timer && has_timer) ++staged_tally_.timers;
  staged_record_bytes_ += staged_records_[index].view().size();
  if (--left_to_stage_ == 0) complete_stage();
}

void MemberCache::stage_early(Map::Node& node) {
  const std::pair<std::uint64_t, Map::Node*> key{id_order_prefix(node.key), &node};
  const auto it = std::lower_bound(sort_keys_.begin(), sort_keys_.end(), key, by_key);
  stage_member(static_cast<std::size_t>(it - sort_keys_.begin()));
}

void MemberCache::complete_stage() {
  if (!staged_members_.empty()) {
    mean_record_bytes_ = std::max<std::size_t>(1, staged_record_bytes_ / staged_members_.size());
  }
  staged_->tally = staged_tally_;
  if (changelog_ != nullptr) encode_checkpoint(staged_checkpoint_record_, *staged_);
}

void MemberCache::send_staged_checkpoint() {
  if (changelog_ == nullptr || !staged_) return;
  changelog_->changelog_checkpoint(static_cast<std::int32_t>(stream_.value),
                                   kChangelogCheckpointKey, staged_checkpoint_record_);
}

void MemberCache::unstage() {
  for (Map::Node* node : staged_members_) {
    node->value.staging = false;
    if (node->value.changed) continue;
    node->value.changed = true;
    changed_.push_back(node);
  }
  staged_members_.clear();
  digests_.clear();
  staged_with_timer_.clear();
  staged_checkpoint_record_.clear();
  staged_records_.clear();
  staged_.reset();
  left_to_stage_ = 0;
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
    prefetch_staged(i);
    Entry& entry = staged_members_[i]->value;
    entry.had_timer = staged_with_timer_[i];
    entry.has_record = true;
    entry.persisted_digest = digests_[i];
    // A member changed again since the stage holds no committed record (mark_changed).
    if (keep_records_ && !entry.changed) entry.record = std::move(staged_records_[i]);
    const std::uint32_t bytes = decoded_bytes(*staged_members_[i]);
    resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
    entry.bytes = bytes;
  }
  staged_members_.clear();
  digests_.clear();
  staged_with_timer_.clear();
  staged_checkpoint_record_.clear();
  staged_records_.clear();
  if (resident_bytes_ > budget_bytes_) evict_over_budget();
  return Status::ok();
}

// Brings the members down to 9/10 of the budget (a small swing: fewer members move between
// forms, and less heap is freed and taken again, per commit): encodes the least recently used
// decoded members, then, if every member is encoded and that is not enough, drops the least
// recently used encoded ones. Each step looks only at the members it moves.
void MemberCache::evict_over_budget() {
  last_loaded_ = nullptr;  // its state may be encoded below
  keep_records_ = true;    // members are encoded from now on: keeping a record saves that
  const std::size_t target = budget_bytes_ / 10 * 9;
  if (encode_least_recent(target)) return;
  // Encoded members are never changed (a change loads, so decodes, them).
  while (resident_bytes_ > target && !encoded_.empty()) {
    Entry& entry = encoded_.back();
    resident_bytes_ -= entry.bytes;
    --encoded_members_;
    entries_.erase(entry.node->key);  // leaves encoded_ with it
  }
}

bool MemberCache::encode_least_recent(std::size_t target) {
  // From the least recent; `after` stays valid as the entry before it leaves the list.
  auto after = decoded_.end();
  while (resident_bytes_ > target && after != decoded_.begin()) {
    const auto current = std::prev(after);
    Entry& entry = *current;
    if (entry.changed) {  // not written yet: its state is the only copy
      after = current;
      continue;
    }
    if (!entry.has_record) {  // a member without a record: nothing to hold
      resident_bytes_ -= entry.bytes;
      entries_.erase(entry.node->key);  // leaves decoded_ with it
      continue;
    }
    if (entry.record.empty()) {  // read from the store: encoded here once
      encode_buffer_.clear();
      encode_member(encode_buffer_, *entry.state);
      entry.record = RecordBytes(encode_buffer_);
    }
    entry.state.reset();
    ++encoded_members_;
    entry.recency.unlink();
    encoded_.push_front(entry);
    const std::uint32_t bytes = encoded_bytes(*entry.node);
    resident_bytes_ = resident_bytes_ - entry.bytes + bytes;
    entry.bytes = bytes;
  }
  return resident_bytes_ <= target;
}

}  // namespace segmentd
