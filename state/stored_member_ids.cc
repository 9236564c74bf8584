#include "state/stored_member_ids.h"

#include <functional>

namespace segmentd {

std::uint64_t StoredMemberIds::hash(std::string_view member_id) {
  const std::uint64_t h = std::hash<std::string_view>{}(member_id);
  return h == 0 ? 1 : h;
}

void StoredMemberIds::add(std::string_view member_id) {
  if (2 * (size_ + 1) > slots_.size()) {
    std::vector<std::uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    size_ = 0;
    for (std::uint64_t h : old) {
      if (h != 0) insert(h);
    }
  }
  insert(hash(member_id));
}

void StoredMemberIds::insert(std::uint64_t h) {
  std::size_t i = h & mask();
  while (slots_[i] != 0) {
    if (slots_[i] == h) return;
    i = (i + 1) & mask();
  }
  slots_[i] = h;
  ++size_;
}

bool StoredMemberIds::may_be_stored(std::string_view member_id) const {
  const std::uint64_t h = hash(member_id);
  for (std::size_t i = h & mask(); slots_[i] != 0; i = (i + 1) & mask()) {
    if (slots_[i] == h) return true;
  }
  return false;
}

}  // namespace segmentd
