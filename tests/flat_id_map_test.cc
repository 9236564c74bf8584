// FlatIdMap holds exactly what a std::map would through random inserts, erases (with
// the backward shift of colliding keys) and growth, and a value's address
// stays the same while it is in the map.
#include "engine/flat_id_map.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>

namespace segmentd {
namespace {

TEST_CASE("flat id map: random inserts and erases match an ordered map", "[flat_id_map]") {
  FlatIdMap<int> map;
  std::map<std::string, int> reference;
  std::map<std::string, const int*> addresses;
  std::uint64_t seed = 42;
  const auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  for (int step = 0; step < 60'000; ++step) {
    const std::string key = "m-" + std::to_string(next() % 3'000);
    const auto op = next() % 10;
    if (op < 6) {
      auto [node, inserted] = map.try_emplace(key);
      CHECK(inserted == (reference.count(key) == 0));
      if (inserted) {
        CHECK(node->value == 0);
        addresses[key] = &node->value;
      }
      CHECK(&node->value == addresses[key]);
      node->value = step;
      reference[key] = step;
    } else if (op < 9) {
      CHECK(map.erase(key) == (reference.erase(key) == 1));
      addresses.erase(key);
    } else {
      const auto* node = map.find(key);
      REQUIRE((node != nullptr) == (reference.count(key) == 1));
      if (node != nullptr) CHECK(node->value == reference[key]);
    }
    REQUIRE(map.size() == reference.size());
  }
  std::map<std::string, int> seen;
  map.for_each([&](const FlatIdMap<int>::Node& n) { seen.emplace(n.key, n.value); });
  CHECK(seen == reference);
  for (const auto& [key, value] : reference) {
    const auto* node = map.find(key);
    REQUIRE(node != nullptr);
    CHECK(node->value == value);
    CHECK(&node->value == addresses[key]);
  }
  CHECK(map.find("absent") == nullptr);
  map.clear();
  CHECK(map.empty());
  CHECK(map.find("m-1") == nullptr);
}

}  // namespace
}  // namespace segmentd
