// Which partitions this instance keeps as standby replicas (processing.standby_replicas,
// SPEC 7), from a description of its consumer group (connectors/kafka/consumer_group.h).
// Pure: every instance computes the same answer from the same description.
//
// The members form a ring in the order of their group.instance.id (their member id when
// they have none: dynamic membership), which is stable across restarts with static
// membership. A partition assigned to the member at ring position i is kept warm by the
// next `replicas` members after i (never by its owner; fewer when the group has fewer
// than replicas + 1 members). The choice also names the partitions the group assigns to
// `self` (a partition listed for two members mid-handover is `self`'s, never a standby),
// so that the caller can keep warm a standby that is moving to it until its engine takes
// it over. nullopt when the description cannot say: the group is
// rebalancing (not stable, or no member holds a partition) or `self` (this consumer's
// member id) is not in it yet; the caller keeps its previous choice then.
//
// Why a ring: librdkafka has no custom assignor, so standbys cannot steer where a
// partition goes. With instances = replicas + 1 every survivor holds every partition it
// can get; with more instances, a moved partition lands on a standby only when the
// group's assignor happens to pick one, and restores from the changelog otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "connectors/kafka/consumer_group.h"

namespace segmentd {

// Both lists hold sorted partition numbers.
struct StandbyChoice {
  std::vector<std::int32_t> standby;  // to keep warm
  std::vector<std::int32_t> own;      // assigned to `self`
};

std::optional<StandbyChoice> choose_standby_partitions(const GroupDescription& group,
                                                       std::string_view self, int replicas);

}  // namespace segmentd
