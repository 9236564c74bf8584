// DenseIdIndex numbers ids 0, 1, 2, ... in the order they are first inserted, finds
// exactly what a std::map would through growth and many chunks, keeps id() views valid
// while more ids arrive, and refuses ids outside 1-255 bytes.
#include "engine/dense_id_index.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace segmentd {
namespace {

TEST_CASE("dense id index: numbers ids in insertion order and finds them again",
          "[dense_id_index]") {
  DenseIdIndex index;
  CHECK(index.find("m-1") == DenseIdIndex::kAbsent);
  std::map<std::string, std::uint32_t> reference;
  std::vector<std::string_view> views;
  std::uint64_t seed = 7;
  const auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  // Ids of 1-128 bytes (several 64 KiB chunks), many of them inserted twice.
  for (int step = 0; step < 40'000; ++step) {
    const std::uint64_t n = next() % 20'000;
    const std::string id = "m-" + std::to_string(n) + std::string(n % 120, 'x');
    const auto [number, inserted] = index.insert(id);
    const auto known = reference.find(id);
    CHECK(inserted == (known == reference.end()));
    if (inserted) {
      CHECK(number == reference.size());
      reference.emplace(id, number);
      views.push_back(index.id(number));
    } else {
      CHECK(number == known->second);
    }
  }
  REQUIRE(index.size() == reference.size());
  CHECK(index.bytes() > 64 * 1024);
  for (const auto& [id, number] : reference) {
    CHECK(index.find(id) == number);
    CHECK(index.id(number) == id);
    CHECK(views[number] == id);  // the first view, taken before the index grew
  }
  CHECK(index.find("m-absent") == DenseIdIndex::kAbsent);
  CHECK(index.find("m-1xx") == DenseIdIndex::kAbsent);  // "m-1" has one x
}

TEST_CASE("dense id index: an id of 255 bytes is kept, an empty or longer one refused",
          "[dense_id_index]") {
  DenseIdIndex index;
  const std::string longest(255, 'a');
  CHECK(index.insert(longest).first == 0);
  CHECK(index.id(0) == longest);
  CHECK_THROWS_AS(index.insert(std::string(256, 'a')), std::length_error);
  CHECK_THROWS_AS(index.insert(""), std::length_error);
  CHECK(index.size() == 1);
}

}  // namespace
}  // namespace segmentd
