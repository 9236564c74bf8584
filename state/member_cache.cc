#include "state/member_cache.h"

#include <algorithm>

#include "engine/malloc_bytes.h"

namespace segmentd {

namespace {

// Eviction stops at this share of the budget, so that it runs in bursts, not per commit.
constexpr double kEvictDownTo = 0.9;
// Start-up fills the cache up to this share, leaving room for members not yet seen.
constexpr double kRestoreUpTo = 0.8;

std::size_t share(std::size_t bytes, double fraction) {
  return static_cast<std::size_t>(static_cast<double>(bytes) * fraction);
}

// The first 8 bytes of an id, big-endian and zero-padded: ordering by it, then by the
// whole id, is bytewise order, and most comparisons never leave the sort array.
std::uint64_t key_prefix(std::string_view id) {
  std::uint64_t prefix = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    prefix = prefix << 8 | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0u);
  }
  return prefix;
}

}  // namespace

MemberCache::MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes)
    : store_(store), stream_(stream), budget_bytes_(budget_bytes), batch_(store) {}

std::size_t MemberCache::resident_bytes() const {
  return index_.memory_bytes() + residents_.size() * sizeof(Resident) + block_bytes_ +
         (dirty_.capacity() + free_slots_.capacity()) * sizeof(std::uint32_t);
}

std::uint32_t MemberCache::find(std::string_view member_id) const {
  return index_.find(member_id, [this](std::uint32_t slot) { return residents_[slot].id(); });
}

MemberState& MemberCache::load(std::string_view member_id) {
  if (working_slot_ != IdIndex::kNoSlot && residents_[working_slot_].id() == member_id) {
    residents_[working_slot_].referenced = true;
    return working_;
  }
  save_working();
  std::uint32_t slot = find(member_id);
  if (slot == IdIndex::kNoSlot) {
    bool found = false;
    if (!all_resident_) {
      const Status s = store_.read_member(stream_, member_id, scratch_, found);
      if (!s.is_ok()) throw StateStoreError(s.message());
    }
    slot = admit(member_id, found ? std::string_view(scratch_) : std::string_view());
  }
  Resident& resident = residents_[slot];
  resident.referenced = true;
  working_slot_ = slot;
  working_changed_ = false;
  if (resident.record_size == 0) {
    working_ = MemberState{};
  } else if (!decode_member(resident.record(), working_)) {
    throw StateStoreError("corrupt member record in the state store (member id not logged)");
  }
  return working_;
}

void MemberCache::mark_changed() {
  if (working_slot_ != IdIndex::kNoSlot) working_changed_ = true;
}

Status MemberCache::load_timers(TimerIndex& timers) {
  if (index_.size() != 0) return Status::fatal("MemberCache::load_timers after the first load()");
  const std::size_t fill_limit = share(budget_bytes_, kRestoreUpTo);
  bool all_resident = true;
  MemberState member;
  Status s = store_.scan_members(stream_, [&](std::string_view id, std::string_view record) {
    if (!decode_member(record, member)) {
      return Status::fatal("corrupt member record in the state store (member id not logged)");
    }
    if (member.timer) timers.set(id, member.timer);
    all_resident = all_resident && resident_bytes() < fill_limit;
    if (all_resident) admit(id, record);
    return Status::ok();
  });
  all_resident_ = s.is_ok() && all_resident;
  return s;
}

Status MemberCache::commit(const StreamCheckpoint& checkpoint) {
  save_working();
  batch_.clear();
  sort_by_key(dirty_);
  for (std::uint32_t slot : dirty_) {
    const Resident& resident = residents_[slot];
    batch_.put_member(stream_, resident.id(), resident.record());
  }
  batch_.put_checkpoint(stream_, checkpoint);
  Status s = store_.commit(batch_);
  if (!s.is_ok()) return s;
  for (std::uint32_t slot : dirty_) residents_[slot].dirty = false;
  dirty_.clear();
  if (resident_bytes() > budget_bytes_) evict_over_budget();
  return Status::ok();
}

std::uint32_t MemberCache::admit(std::string_view member_id, std::string_view record) {
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(residents_.size());
    residents_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Resident& resident = residents_[slot];
  resident.id_size = static_cast<std::uint32_t>(member_id.size());
  resident.record_size = 0;
  set_record(resident, record);
  std::copy(member_id.begin(), member_id.end(), resident.bytes.get());
  index_.insert(member_id, slot);
  return slot;
}

// Replaces the record. A block that must grow is replaced by one of exactly the new
// size (no growth slack: records change a little at a time and there are millions).
void MemberCache::set_record(Resident& resident, std::string_view record) {
  const std::size_t needed = std::max<std::size_t>(1, resident.id_size + record.size());
  if (needed > resident.capacity) {
    auto bytes = std::make_unique_for_overwrite<char[]>(needed);
    if (resident.bytes) std::copy_n(resident.bytes.get(), resident.id_size, bytes.get());
    if (resident.capacity > 0) block_bytes_ -= malloc_bytes(resident.capacity);
    block_bytes_ += malloc_bytes(needed);
    resident.bytes = std::move(bytes);
    resident.capacity = static_cast<std::uint32_t>(needed);
  }
  std::copy(record.begin(), record.end(), resident.bytes.get() + resident.id_size);
  resident.record_size = static_cast<std::uint32_t>(record.size());
}

// Encodes the working member back into its record when it was marked changed.
void MemberCache::save_working() {
  if (!working_changed_) return;
  working_changed_ = false;
  scratch_.clear();
  encode_member(scratch_, working_);
  Resident& resident = residents_[working_slot_];
  set_record(resident, scratch_);
  if (!resident.dirty) {
    resident.dirty = true;
    dirty_.push_back(working_slot_);
  }
}

void MemberCache::sort_by_key(std::vector<std::uint32_t>& slots) const {
  struct Keyed {
    std::uint64_t prefix;
    std::uint32_t slot;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(slots.size());
  for (std::uint32_t slot : slots) keyed.push_back(Keyed{key_prefix(residents_[slot].id()), slot});
  std::sort(keyed.begin(), keyed.end(), [this](const Keyed& a, const Keyed& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return residents_[a.slot].id() < residents_[b.slot].id();
  });
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = keyed[i].slot;
}

// CLOCK: the hand gives each recently loaded member a second chance and drops the rest,
// until the cache is back under kEvictDownTo of its budget. All members are committed.
void MemberCache::evict_over_budget() {
  all_resident_ = false;
  const std::size_t target = share(budget_bytes_, kEvictDownTo);
  const std::size_t slots = residents_.size();
  for (std::size_t visited = 0; visited < 2 * slots && resident_bytes() > target; ++visited) {
    const std::size_t slot = eviction_hand_;
    eviction_hand_ = (eviction_hand_ + 1) % slots;
    Resident& resident = residents_[slot];
    if (resident.capacity == 0) continue;  // free
    if (resident.referenced) {
      resident.referenced = false;
    } else {
      evict(static_cast<std::uint32_t>(slot));
    }
  }
}

void MemberCache::evict(std::uint32_t slot) {
  Resident& resident = residents_[slot];
  index_.erase(resident.id(), slot);
  block_bytes_ -= malloc_bytes(resident.capacity);
  resident = Resident{};
  free_slots_.push_back(slot);
  if (working_slot_ == slot) working_slot_ = IdIndex::kNoSlot;
}

}  // namespace segmentd
