#include "engine/dense_id_index.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>

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

namespace {

// An id's length before its bytes: one byte below kLongLength, else kLongLength and four.
constexpr unsigned char kLongLength = 255;

std::size_t length_bytes(std::size_t length) { return length < kLongLength ? 1 : 5; }

}  // namespace

std::pair<std::uint32_t, bool> DenseIdIndex::insert(std::string_view id) {
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
  std::uint32_t length = static_cast<unsigned char>(*at);
  if (length == kLongLength) std::memcpy(&length, at + 1, sizeof length);
  return {at + length_bytes(length), length};
}

std::uint32_t DenseIdIndex::add_chunk(std::size_t bytes) {
  if (chunks_.size() > 0xFFFF) throw std::length_error("DenseIdIndex: 4 GiB of ids");
  chunks_.push_back(std::make_unique_for_overwrite<char[]>(bytes));
  return static_cast<std::uint32_t>(chunks_.size() - 1);
}

std::uint32_t DenseIdIndex::store(std::string_view id) {
  const std::size_t need = length_bytes(id.size()) + id.size();
  std::uint32_t chunk = 0;
  std::size_t offset = 0;
  if (need > kChunkBytes) {
    chunk = add_chunk(need);  // its own; the next id starts a new chunk
    chunk_used_ = kChunkBytes;
  } else {
    if (chunk_used_ + need > kChunkBytes) {
      add_chunk(kChunkBytes);
      chunk_used_ = 0;
    }
    chunk = static_cast<std::uint32_t>(chunks_.size() - 1);
    offset = chunk_used_;
    chunk_used_ += need;
  }
  char* at = chunks_[chunk].get() + offset;
  if (id.size() < kLongLength) {
    *at++ = static_cast<char>(id.size());
  } else {
    const auto length = static_cast<std::uint32_t>(id.size());
    *at++ = static_cast<char>(kLongLength);
    std::memcpy(at, &length, sizeof length);
    at += sizeof length;
  }
  std::copy(id.begin(), id.end(), at);
  return (chunk << 16) | static_cast<std::uint32_t>(offset);
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
