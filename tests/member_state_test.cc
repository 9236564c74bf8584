#include "engine/member_state.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace segmentd {
namespace {

using Ids = std::vector<std::string>;

TEST_CASE("the dedupe ring keeps the newest ids of its window, oldest first", "[member]") {
  RecentEventIds ring;
  CHECK(ring.empty());
  for (int i = 0; i < 5; ++i) ring.add("e" + std::to_string(i), 3);
  CHECK(ring.size() == 3);
  CHECK(ring.oldest_first() == Ids{"e2", "e3", "e4"});
  CHECK(ring.contains("e4"));
  CHECK_FALSE(ring.contains("e1"));
  CHECK_FALSE(ring.contains("e"));  // no prefix matches
  ring.add("e5", 4);                // window grew
  CHECK(ring.oldest_first() == Ids{"e2", "e3", "e4", "e5"});
  ring.add("e6", 2);  // window shrank
  CHECK(ring.oldest_first() == Ids{"e5", "e6"});
  ring.add("ignored", 0);
  CHECK(ring.oldest_first() == Ids{"e5", "e6"});
}

TEST_CASE("the dedupe ring packs ids as LEB128 length and bytes", "[member]") {
  RecentEventIds ring;
  const std::string long_id(130, 'x');  // a two-byte length
  ring.add("ab", 32);
  ring.add(long_id, 32);
  CHECK(ring.packed() == std::string("\x02"
                                     "ab"
                                     "\x82\x01",
                                     5) +
                             long_id);
  CHECK(ring.contains(long_id));

  RecentEventIds copy;
  REQUIRE(copy.assign_packed(ring.packed(), 2));
  CHECK(copy.oldest_first() == Ids{"ab", long_id});
  CHECK_FALSE(copy.assign_packed(ring.packed(), 3));  // fewer ids than claimed
  CHECK(copy.empty());
  CHECK_FALSE(copy.assign_packed(std::string("\x02"
                                             "ab"
                                             "!",
                                             4),
                                 1));  // trailing bytes
  CHECK_FALSE(copy.assign_packed(std::string("\x05"
                                             "ab",
                                             3),
                                 1));  // cut short
  CHECK(copy.assign_packed("", 0));
}

}  // namespace
}  // namespace segmentd
