// choose_standby_partitions (app/standby_choice.h): which partitions an instance keeps
// warm, from its consumer group's description: ring order by group.instance.id, the next
// `replicas` members after each owner, never the owner, nothing decided mid-rebalance.
#include "app/standby_choice.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segmentd {
namespace {

using Partitions = std::vector<std::int32_t>;

// The partitions `self` keeps warm; nullopt when nothing is decided.
std::optional<Partitions> standby_of(const GroupDescription& group, std::string_view self,
                                     int replicas) {
  const auto choice = choose_standby_partitions(group, self, replicas);
  if (!choice) return std::nullopt;
  return choice->standby;
}

// Members in the order the coordinator lists them (not the ring order).
GroupDescription group(std::vector<GroupMember> members, bool stable = true) {
  return GroupDescription{stable, std::move(members)};
}

TEST_CASE("standby choice: the next members in group.instance.id order keep each partition") {
  // Ring: a (m-3), b (m-1), c (m-2); member ids sort differently on purpose.
  const GroupDescription three = group({{"m-1", "b", {2, 3}},  //
                                        {"m-2", "c", {4, 5}},
                                        {"m-3", "a", {0, 1}}});
  const auto [self, replicas, expected] = GENERATE(table<std::string, int, Partitions>({
      {"m-3", 1, {4, 5}},        // a follows c (the ring wraps)
      {"m-1", 1, {0, 1}},        // b follows a
      {"m-2", 1, {2, 3}},        // c follows b
      {"m-3", 2, {2, 3, 4, 5}},  // every other member's
      {"m-1", 5, {0, 1, 4, 5}},  // more replicas than members: every other member's
      {"m-2", 0, {}},
  }));
  INFO("self " << self << ", replicas " << replicas);
  const auto chosen = choose_standby_partitions(three, self, replicas);
  REQUIRE(chosen);
  CHECK(chosen->standby == expected);
}

TEST_CASE("standby choice: two instances keep each other's partitions") {
  const GroupDescription two = group({{"m-a", "a", {1, 0}}, {"m-b", "b", {3, 2}}});
  CHECK(standby_of(two, "m-a", 1) == Partitions{2, 3});
  CHECK(standby_of(two, "m-b", 1) == Partitions{0, 1});
  CHECK(standby_of(two, "m-b", 2) == Partitions{0, 1});  // one other member
}

TEST_CASE("standby choice: dynamic members are ordered by member id") {
  const GroupDescription dynamic = group({{"m-2", "", {1}}, {"m-1", "", {0}}, {"m-3", "", {2}}});
  CHECK(standby_of(dynamic, "m-2", 1) == Partitions{0});
  CHECK(standby_of(dynamic, "m-1", 1) == Partitions{2});
}

TEST_CASE("standby choice: a member without partitions still keeps its predecessor's") {
  const GroupDescription idle = group({{"m-a", "a", {0, 1}}, {"m-b", "b", {}}, {"m-c", "c", {2}}});
  CHECK(standby_of(idle, "m-b", 1) == Partitions{0, 1});
  CHECK(standby_of(idle, "m-c", 1) == Partitions{});  // b owns nothing
}

TEST_CASE("standby choice: a partition this member also holds is never a standby") {
  // Mid-handover the coordinator may list a partition twice.
  const GroupDescription overlap = group({{"m-a", "a", {0, 1}}, {"m-b", "b", {1, 2}}});
  CHECK(standby_of(overlap, "m-b", 1) == Partitions{0});
  CHECK(choose_standby_partitions(overlap, "m-b", 1)->own == Partitions{1, 2});
}

TEST_CASE("standby choice: names the partitions assigned to this member, sorted") {
  const GroupDescription two = group({{"m-a", "a", {1, 0}}, {"m-b", "b", {3, 2}}});
  CHECK(choose_standby_partitions(two, "m-a", 1)->own == Partitions{0, 1});
  CHECK(choose_standby_partitions(two, "m-b", 0)->own == Partitions{2, 3});
}

TEST_CASE("standby choice: nothing is decided while the group cannot say") {
  const std::vector<GroupMember> members = {{"m-a", "a", {0}}, {"m-b", "b", {1}}};
  SECTION("rebalancing") { CHECK_FALSE(standby_of(group(members, false), "m-a", 1)); }
  SECTION("no assignment yet") {
    CHECK_FALSE(standby_of(group({{"m-a", "a", {}}, {"m-b", "b", {}}}), "m-a", 1));
  }
  SECTION("this member is not in it yet") {
    CHECK_FALSE(standby_of(group(members), "m-new", 1));
    CHECK_FALSE(standby_of(group(members), "", 1));
  }
}

}  // namespace
}  // namespace segmentd
