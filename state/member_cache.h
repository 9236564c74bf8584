// The member states of one stream, cached in memory over the state store (the
// engine's MemberTable). Hot members stay decoded in memory; changed members (each
// record carries the member's timer) are written in id order, with the stream
// checkpoint, in one atomic batch by commit(): one write per changed member. After a
// commit the least recently used members beyond the memory budget (what they really
// hold on the heap) are dropped; they are read back from RocksDB when next needed.
//
// Only committed states are ever dropped, so a read-back always sees the latest state.
// Errors reading RocksDB throw StateStoreError (fatal: the state cannot be trusted).
//
// Integrity: the cache keeps the stream's StoreTally (member records, timers, sum of
// record digests) up to date through its commits and writes it into every checkpoint;
// load_timers() recomputes it from the store and refuses a store that disagrees with
// its checkpoint ("state dir X is corrupt: ..."), so lost or stale files are an error,
// never wrong output.
//
// Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/member_table.h"
#include "engine/status.h"
#include "engine/timer_index.h"
#include "state/state_store.h"

namespace segmentd {

class StateStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MemberCache final : public MemberTable {
 public:
  MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes);

  MemberState& load(std::string_view member_id) override;
  // The member's state as load() would give it, without caching it (for reads from
  // outside the processing, such as GET /members/{id}).
  MemberState peek(std::string_view member_id);
  void mark_changed() override;
  // Persisted and resident members; throws StateStoreError when the scan fails.
  std::vector<std::string> member_ids() override;

  // Restores the stream: fills `timers` with the timers of its member records and checks
  // its members and timers against its checkpoint's tally (one scan of the stream's
  // member records).
  Status load_timers(TimerIndex& timers);
  // Writes changed members (timers included) and `checkpoint` (with the stream's
  // tally in place of checkpoint.tally) atomically. After a failure nothing was written
  // and the same changes are written by the next commit. `sync`: StateStore::commit.
  Status commit(const StreamCheckpoint& checkpoint, bool sync = true);

  std::size_t resident_members() const { return entries_.size(); }
  std::size_t resident_bytes() const { return resident_bytes_; }

 private:
  struct Entry {
    MemberState state;
    std::optional<EpochMs> persisted_timer;
    std::optional<std::uint64_t> persisted_digest;  // record_digest(); nullopt: no record
    std::uint32_t last_used = 0;                    // load_count_ / kLoadsPerAge at the latest load
    std::uint32_t bytes = 0;                        // estimated memory held
    bool changed = false;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  void evict_over_budget();
  // Computes the stream's tally from the store into tally_ and checks it against the
  // checkpoint's; calls `visit_timer` for each timer.
  Status restore_tally(const std::function<void(EpochMs, std::string_view)>& visit_timer);

  StateStore& store_;
  StreamId stream_;
  std::size_t budget_bytes_;
  Map entries_;
  std::vector<Map::value_type*> changed_;
  std::vector<std::uint64_t> digests_;  // of changed_'s records in the commit under way
  Map::value_type* last_loaded_ = nullptr;
  std::size_t resident_bytes_ = 0;
  std::uint64_t load_count_ = 0;
  StoreBatch batch_;
  std::optional<StoreTally> tally_;  // nullopt until restored
};

}  // namespace segmentd
