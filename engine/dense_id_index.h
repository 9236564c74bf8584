// Numbers member ids densely in the order they are first added (0, 1, 2, ...), for
// structures that keep one slot per member in flat arrays indexed by that number (the
// daily sweep's records): an append-only map from id to number, and back.
//
// Memory: each id's bytes once, after its length (one byte below 255, else five), in
// 64 KiB chunks that never move (so id() views stay valid for the index's lifetime; an id
// longer than a chunk gets one of its own), a 4-byte location per number, and an
// open-addressing table of 8-byte slots (a 32-bit hash tag and the number) at most half
// full: about 30-40 bytes per short id, against about 100 for a map node holding a
// std::string and its slots (engine/flat_id_map.h). Ids are never removed.
//
// Any id is taken (SPEC 2 allows 1-128 bytes, but the ids of a damaged store are not
// checked before the sweep reads them). Past 65,536 chunks (4 GiB of ids) insert() throws
// std::length_error. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace segmentd {

class DenseIdIndex {
 public:
  static constexpr std::uint32_t kAbsent = UINT32_MAX;

  // The number of `id`, or kAbsent.
  std::uint32_t find(std::string_view id) const;
  // The number of `id`, the next one when it is new; second: it was new.
  std::pair<std::uint32_t, bool> insert(std::string_view id);
  // The id numbered `number` (< size()); the view stays valid while the index lives.
  std::string_view id(std::uint32_t number) const;

  std::size_t size() const { return locations_.size(); }

 private:
  struct Slot {
    std::uint32_t tag = 0;     // the hash's upper 32 bits
    std::uint32_t number = 0;  // the id's number + 1; 0: empty
  };
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  static std::uint64_t hash(std::string_view id);
  std::size_t mask() const { return slots_.size() - 1; }
  // The slot of `id` (hash `h`): its own, or the empty one where it would go.
  std::size_t probe(std::string_view id, std::uint64_t h) const;
  void grow();
  // Copies `id`, after its length, into the chunks; returns its location (chunk << 16 |
  // offset).
  std::uint32_t store(std::string_view id);
  // A new chunk of `bytes`; its index.
  std::uint32_t add_chunk(std::size_t bytes);

  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = kChunkBytes;  // of the last chunk
  std::vector<std::uint32_t> locations_;  // by number
  std::vector<Slot> slots_;               // size 0 or a power of two, at most half full
};

}  // namespace segmentd
