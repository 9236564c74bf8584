// Which members of a stream have a record in the state store, as a set of 64-bit hashes
// of their ids: may_be_stored() is false only for an id never added, so a caller that
// adds every id it writes (and those it finds at restore) can skip the store read for a
// member seen for the first time. A hash collision only costs that read.
//
// Open addressing with linear probing over a flat array of hashes (0 marks an empty slot;
// a hash of 0 is stored as 1), doubled when half full (so 16-32 bytes per id), and one
// probe of a cache line per lookup. Ids are never removed (a deleted record leaves a
// false positive, which again only costs a read). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace segmentd {

class StoredMemberIds {
 public:
  void add(std::string_view member_id);
  bool may_be_stored(std::string_view member_id) const;
  std::size_t size() const { return size_; }

 private:
  static std::uint64_t hash(std::string_view member_id);
  void insert(std::uint64_t h);
  std::size_t mask() const { return slots_.size() - 1; }

  std::vector<std::uint64_t> slots_ = std::vector<std::uint64_t>(1024, 0);
  std::size_t size_ = 0;
};

}  // namespace segmentd
