// Finds records by member id: a hash index from ids to the small dense numbers (slots)
// under which its owner keeps one record per member in plain arrays.
//
// The index does not store ids: the owner keeps each id inside its record and lends it
// through `id_of(slot)` when a lookup must confirm a match. So a lookup touches the
// bucket array and the one record it finds, which the caller reads next anyway.
// Open addressing over 8-byte buckets (a 32-bit fingerprint of the id and the slot),
// linear probing, backward-shift deletion (no tombstones), at most 70 % full.
// The owner allocates and reuses slot numbers.
// Not thread-safe: owned by one stream's processing thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace segmentd {

class IdIndex {
 public:
  static constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

  // The slot whose id equals `id`, or kNoSlot. `id_of(slot)` returns the id in a slot.
  template <class IdOf>
  std::uint32_t find(std::string_view id, const IdOf& id_of) const;
  // Adds `slot` under `id`. REQUIRES: no slot holds `id`; slot < kNoSlot.
  void insert(std::string_view id, std::uint32_t slot);
  // Removes `slot`, added under `id`. REQUIRES: it was.
  void erase(std::string_view id, std::uint32_t slot);

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return buckets_.capacity() * sizeof(std::uint64_t); }

 private:
  static std::uint32_t fingerprint(std::string_view id);
  static std::uint32_t fingerprint(std::uint64_t bucket) {
    return static_cast<std::uint32_t>(bucket >> 32);
  }
  static std::uint32_t slot_in(std::uint64_t bucket) {
    return static_cast<std::uint32_t>(bucket) - 1;
  }
  std::size_t home(std::uint32_t fingerprint) const {
    return static_cast<std::size_t>((fingerprint * 0x9E37'79B9'7F4A'7C15ull) >> (64 - bits_));
  }
  void grow();
  void place(std::uint64_t bucket);

  std::vector<std::uint64_t> buckets_;  // fingerprint << 32 | (slot + 1); 0 is empty
  int bits_ = 0;                        // buckets_.size() == 1 << bits_
  std::size_t size_ = 0;
};

template <class IdOf>
std::uint32_t IdIndex::find(std::string_view id, const IdOf& id_of) const {
  if (size_ == 0) return kNoSlot;
  const std::uint32_t wanted = fingerprint(id);
  const std::size_t mask = buckets_.size() - 1;
  for (std::size_t i = home(wanted);; i = (i + 1) & mask) {
    const std::uint64_t bucket = buckets_[i];
    if (bucket == 0) return kNoSlot;
    if (fingerprint(bucket) == wanted && id_of(slot_in(bucket)) == id) return slot_in(bucket);
  }
}

}  // namespace segmentd
