#include "app/standby_choice.h"

#include <algorithm>
#include <string>

namespace segmentd {

namespace {

const std::string& ring_key(const GroupMember& member) {
  return member.instance_id.empty() ? member.member_id : member.instance_id;
}

}  // namespace

std::optional<StandbyChoice> choose_standby_partitions(const GroupDescription& group,
                                                       std::string_view self, int replicas) {
  if (!group.stable) return std::nullopt;
  std::vector<const GroupMember*> ring;
  for (const GroupMember& m : group.members) ring.push_back(&m);
  std::sort(ring.begin(), ring.end(), [](const GroupMember* a, const GroupMember* b) {
    return std::pair(ring_key(*a), a->member_id) < std::pair(ring_key(*b), b->member_id);
  });
  const auto me = std::find_if(ring.begin(), ring.end(),
                               [&](const GroupMember* m) { return m->member_id == self; });
  const bool assigned = std::any_of(ring.begin(), ring.end(),
                                    [](const GroupMember* m) { return !m->partitions.empty(); });
  if (me == ring.end() || !assigned) return std::nullopt;
  const std::size_t n = ring.size();
  const std::size_t my_position = static_cast<std::size_t>(me - ring.begin());
  const std::size_t holders = std::min<std::size_t>(std::max(replicas, 0), n - 1);
  std::vector<std::int32_t> chosen;
  for (std::size_t owner = 0; owner < n; ++owner) {
    // This instance is `distance` places after the owner in the ring.
    const std::size_t distance = (my_position + n - owner) % n;
    if (distance == 0 || distance > holders) continue;
    chosen.insert(chosen.end(), ring[owner]->partitions.begin(), ring[owner]->partitions.end());
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  std::vector<std::int32_t> mine = (*me)->partitions;
  std::sort(mine.begin(), mine.end());
  // A partition that this instance also holds (an assignment in flux) stays its own.
  std::erase_if(chosen,
                [&](std::int32_t p) { return std::binary_search(mine.begin(), mine.end(), p); });
  return StandbyChoice{std::move(chosen), std::move(mine)};
}

}  // namespace segmentd
