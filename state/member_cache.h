// The member states of one stream, held in memory over the state store (the engine's
// MemberTable).
//
// Resident members are kept as their encoded records (state/member_codec.h, about 100-200
// bytes for a typical member), not as MemberState objects: load() decodes the requested
// member into one working MemberState, and the next load() (or commit()) encodes it back
// if it was marked changed (unmarked changes are dropped then). commit() writes every changed
// record, in key order, with the stream checkpoint in one atomic batch; then, while the resident
// records exceed the memory budget, committed members are dropped in CLOCK order (least recently
// used, approximately) and are read back from RocksDB when next needed.
//
// load_timers() restores the stream at start-up: one scan of its member records fills the
// timer index and makes members resident up to the budget. While every member of the
// stream is resident (nothing evicted, nothing left out at start-up), a member not in
// memory is a new member and load() skips the RocksDB read.
//
// Memory: one heap block per resident member holding its id and record, 24 bytes of slot
// and about 12 of index. resident_bytes() counts what is actually held (blocks as malloc
// sizes them, slot array, index), so the budget is what the cache costs in RSS.
// Errors reading RocksDB throw StateStoreError (fatal: the state cannot be trusted).
// Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/id_index.h"
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

  // Fills `timers` with the stream's persisted timers and makes members resident up to
  // the budget. REQUIRES: called once, before the first load().
  Status load_timers(TimerIndex& timers);
  // Writes changed members and `checkpoint` atomically, then evicts over the budget.
  Status commit(const StreamCheckpoint& checkpoint);

  std::size_t resident_members() const { return index_.size(); }
  std::size_t resident_bytes() const;

 private:
  // A resident member: one block holding its id, then its record (empty for a member
  // the store does not know yet).
  struct Resident {
    std::unique_ptr<char[]> bytes;
    std::uint32_t id_size = 0;
    std::uint32_t record_size = 0;
    std::uint32_t capacity = 0;  // of bytes; 0 while the slot is free
    bool dirty = false;          // changed since the last commit
    bool referenced = false;     // loaded since the eviction hand last passed
    std::string_view id() const { return {bytes.get(), id_size}; }
    std::string_view record() const { return {bytes.get() + id_size, record_size}; }
  };

  std::uint32_t find(std::string_view member_id) const;
  std::uint32_t admit(std::string_view member_id, std::string_view record);
  void set_record(Resident& resident, std::string_view record);
  void save_working();
  void sort_by_key(std::vector<std::uint32_t>& slots) const;
  void evict_over_budget();
  void evict(std::uint32_t slot);

  StateStore& store_;
  StreamId stream_;
  std::size_t budget_bytes_;
  IdIndex index_;
  std::deque<Resident> residents_;  // by slot
  std::vector<std::uint32_t> free_slots_;
  std::size_t block_bytes_ = 0;  // malloc'ed for Resident::bytes
  std::vector<std::uint32_t> dirty_;
  bool all_resident_ = false;  // every member the store holds for the stream is resident
  std::uint32_t working_slot_ = IdIndex::kNoSlot;  // the member in working_
  bool working_changed_ = false;
  MemberState working_;
  std::size_t eviction_hand_ = 0;
  std::string scratch_;
  StoreBatch batch_;
};

}  // namespace segmentd
