#include "engine/id_index.h"

#include <functional>

namespace segmentd {

namespace {
constexpr int kMinBits = 4;
constexpr std::size_t kMaxLoadPercent = 70;
}  // namespace

std::uint32_t IdIndex::fingerprint(std::string_view id) {
  const std::uint64_t h = std::hash<std::string_view>{}(id);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

void IdIndex::insert(std::string_view id, std::uint32_t slot) {
  if ((size_ + 1) * 100 > buckets_.size() * kMaxLoadPercent) grow();
  place(std::uint64_t{fingerprint(id)} << 32 | (std::uint64_t{slot} + 1));
  ++size_;
}

void IdIndex::erase(std::string_view id, std::uint32_t slot) {
  const std::size_t mask = buckets_.size() - 1;
  std::size_t hole = home(fingerprint(id));
  while (buckets_[hole] == 0 || slot_in(buckets_[hole]) != slot) hole = (hole + 1) & mask;
  // Backward shift: pull later buckets of the probe run into the hole where their home
  // allows, so that lookups never meet a tombstone.
  for (std::size_t next = (hole + 1) & mask; buckets_[next] != 0; next = (next + 1) & mask) {
    const std::size_t want = home(fingerprint(buckets_[next]));
    const bool stays = hole <= next ? (hole < want && want <= next) : (hole < want || want <= next);
    if (stays) continue;
    buckets_[hole] = buckets_[next];
    hole = next;
  }
  buckets_[hole] = 0;
  --size_;
}

void IdIndex::grow() {
  bits_ = bits_ == 0 ? kMinBits : bits_ + 1;
  std::vector<std::uint64_t> old(std::size_t{1} << bits_, 0);
  old.swap(buckets_);
  for (std::uint64_t bucket : old) {
    if (bucket != 0) place(bucket);
  }
}

void IdIndex::place(std::uint64_t bucket) {
  const std::size_t mask = buckets_.size() - 1;
  std::size_t i = home(fingerprint(bucket));
  while (buckets_[i] != 0) i = (i + 1) & mask;
  buckets_[i] = bucket;
}

}  // namespace segmentd
