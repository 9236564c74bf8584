// A hash map from member id to V for the hot per-member lookups (member cache, timer
// index): open addressing with linear probing over a flat array of (hash, node) slots,
// so a lookup touches one slot and one node (std::unordered_map touches a bucket, the
// node before and the node). Each key/value lives in its own heap node: a value's address
// never changes while it is in the map (rehashing moves only the slots).
//
// Erasing shifts the following slots back (no tombstones). Iteration order is
// unspecified. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace segmentd {

// The first 8 bytes of `id` as a big-endian number (zero-padded): where two ids' prefixes
// differ they order as the ids do (UTF-8 byte order), so a sort can compare the ids only
// where the prefixes are equal.
inline std::uint64_t id_order_prefix(std::string_view id) {
  std::uint64_t prefix = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < id.size() ? static_cast<std::uint8_t>(id[i]) : 0u);
  }
  return prefix;
}

template <typename V>
class FlatIdMap {
 public:
  struct Node {
    std::string key;
    V value;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The node of `key`, or null.
  Node* find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask(); slots_[i].node != nullptr; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].node->key == key) return slots_[i].node.get();
    }
    return nullptr;
  }

  // Prefetch hints, for a caller that knows the keys it will look up next: they change
  // nothing and return nothing. prefetch_slot() asks for the slot `key` hashes to;
  // prefetch_node(), called once that slot is likely cached, for the node of the first
  // slot on its probe path whose hash matches (the key itself is not compared, which
  // would wait for the node).
  void prefetch_slot(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(key) & mask()]);
  }
  void prefetch_node(std::string_view key) const {
    if (slots_.empty()) return;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask(); slots_[i].node != nullptr; i = (i + 1) & mask()) {
      if (slots_[i].hash == h) {
        __builtin_prefetch(slots_[i].node.get());
        return;
      }
    }
  }

  // The node of `key`, inserted with a value-initialised V when absent; second: inserted.
  std::pair<Node*, bool> try_emplace(std::string_view key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::uint64_t h = hash(key);
    std::size_t i = h & mask();
    for (; slots_[i].node != nullptr; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].node->key == key) return {slots_[i].node.get(), false};
    }
    slots_[i].hash = h;
    slots_[i].node = std::make_unique<Node>(Node{std::string(key), V{}});
    ++size_;
    return {slots_[i].node.get(), true};
  }

  // Removes `key`; false when absent.
  bool erase(std::string_view key) {
    if (slots_.empty()) return false;
    const std::uint64_t h = hash(key);
    std::size_t i = h & mask();
    for (; slots_[i].node != nullptr; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].node->key == key) break;
    }
    if (slots_[i].node == nullptr) return false;
    slots_[i].node.reset();
    --size_;
    // Backward shift: move each following slot into the hole when the hole lies on its
    // probe path (between its home slot and where it is).
    for (std::size_t hole = i, j = (i + 1) & mask(); slots_[j].node != nullptr;
         j = (j + 1) & mask()) {
      const std::size_t home = slots_[j].hash & mask();
      if (((j - home) & mask()) >= ((j - hole) & mask())) {
        slots_[hole] = std::move(slots_[j]);
        hole = j;
      }
    }
    return true;
  }

  // Calls visit(Node&) on every node.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& s : slots_) {
      if (s.node != nullptr) visit(*s.node);
    }
  }

  // Removes every node for which erase(Node&) is true. O(size).
  template <typename Erase>
  void erase_if(Erase&& erase) {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.size());
    size_ = 0;
    for (Slot& s : old) {
      if (s.node != nullptr && !erase(*s.node)) place(std::move(s));
    }
  }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

  // Bytes held besides the nodes: the slot array.
  std::size_t slot_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::unique_ptr<Node> node;
  };

  static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  std::size_t mask() const { return slots_.size() - 1; }

  void place(Slot&& s) {
    std::size_t i = s.hash & mask();
    while (slots_[i].node != nullptr) i = (i + 1) & mask();
    slots_[i] = std::move(s);
    ++size_;
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.empty() ? 16 : old.size() * 2);
    size_ = 0;
    for (Slot& s : old) {
      if (s.node != nullptr) place(std::move(s));
    }
  }

  std::vector<Slot> slots_;  // size 0 or a power of two, at most half full
  std::size_t size_ = 0;
};

}  // namespace segmentd
