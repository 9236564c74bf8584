// The member states of one stream, cached in memory over the state store (the
// engine's MemberTable). Hot members stay decoded in memory; changed members are
// written, with their timer moves and the stream checkpoint, in one atomic batch by
// commit(); after a commit the least recently used members beyond the memory budget
// are dropped (they are read back from RocksDB when next needed).
//
// Only committed states are ever dropped, so a read-back always sees the latest state.
// Errors reading RocksDB throw StateStoreError (fatal: the state cannot be trusted).
// Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <cstdint>
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
  void mark_changed() override;

  // Fills `timers` with the stream's persisted timers.
  Status load_timers(TimerIndex& timers);
  // Writes changed members, their timer moves and `checkpoint` atomically. After a
  // failure nothing was written and the same changes are written by the next commit.
  Status commit(const StreamCheckpoint& checkpoint);

  std::size_t resident_members() const { return entries_.size(); }
  std::size_t resident_bytes() const { return resident_bytes_; }

 private:
  struct Entry {
    MemberState state;
    std::optional<EpochMs> persisted_timer;
    std::uint32_t last_used = 0;  // load_count_ / kLoadsPerAge at the latest load
    std::uint32_t bytes = 0;      // estimated memory held
    bool changed = false;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  void evict_over_budget();

  StateStore& store_;
  StreamId stream_;
  std::size_t budget_bytes_;
  Map entries_;
  std::vector<Map::value_type*> changed_;
  Map::value_type* last_loaded_ = nullptr;
  std::size_t resident_bytes_ = 0;
  std::uint64_t load_count_ = 0;
  StoreBatch batch_;
};

}  // namespace segmentd
