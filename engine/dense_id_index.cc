#include "engine/dense_id_index.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

namespace segmentd {

std::uint64_t DenseIdIndex::hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

std::size_t DenseIdIndex::probe(std::string_view id, std::uint64_t h) const {
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  std::size_t i = h & mask();
  for (; slots_[i].number != 0; i = (i + 1) & mask()) {
    if (slots_[i].tag == tag && this->id(slots_[i].number - 1) == id) break;
  }
  return i;
}

std::uint32_t DenseIdIndex::find(std::string_view id) const {
  if (slots_.empty()) return kAbsent;
  const Slot& slot = slots_[probe(id, hash(id))];
  return slot.number == 0 ? kAbsent : slot.number - 1;
}

std::pair<std::uint32_t, bool> DenseIdIndex::insert(std::string_view id) {
  if (id.empty() || id.size() > 255) {
    throw std::length_error("DenseIdIndex: an id of " + std::to_string(id.size()) + " bytes");
  }
  if ((size() + 1) * 2 > slots_.size()) grow();
  const std::uint64_t h = hash(id);
  Slot& slot = slots_[probe(id, h)];
  if (slot.number != 0) return {slot.number - 1, false};
  const auto number = static_cast<std::uint32_t>(locations_.size());
  locations_.push_back(store(id));
  slot = Slot{static_cast<std::uint32_t>(h >> 32), number + 1};
  return {number, true};
}

std::string_view DenseIdIndex::id(std::uint32_t number) const {
  const std::uint32_t location = locations_[number];
  const char* at = chunks_[location >> 16].get() + (location & 0xFFFF);
  return {at + 1, static_cast<unsigned char>(*at)};
}

std::size_t DenseIdIndex::bytes() const {
  return chunks_.size() * kChunkBytes + locations_.capacity() * sizeof(std::uint32_t) +
         slots_.capacity() * sizeof(Slot);
}

std::uint32_t DenseIdIndex::store(std::string_view id) {
  if (chunk_used_ + 1 + id.size() > kChunkBytes) {
    if (chunks_.size() > 0xFFFF) throw std::length_error("DenseIdIndex: 4 GiB of ids");
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(kChunkBytes));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  *at = static_cast<char>(id.size());
  std::copy(id.begin(), id.end(), at + 1);
  const auto location = static_cast<std::uint32_t>(((chunks_.size() - 1) << 16) | chunk_used_);
  chunk_used_ += 1 + id.size();
  return location;
}

void DenseIdIndex::grow() {
  slots_.assign(slots_.empty() ? 16 : slots_.size() * 2, Slot{});
  for (std::uint32_t number = 0; number < locations_.size(); ++number) {
    const std::string_view key = id(number);
    const std::uint64_t h = hash(key);
    std::size_t i = h & mask();
    while (slots_[i].number != 0) i = (i + 1) & mask();
    slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), number + 1};
  }
}

}  // namespace segmentd
