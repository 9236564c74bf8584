// DenseIdIndex numbers ids 0, 1, 2, ... in the order they are first inserted, finds
// exactly what a std::map would through growth and many chunks, keeps id() views valid
// while more ids arrive, and keeps ids of any length (a damaged store's are not checked).
#include "engine/dense_id_index.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
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
  for (const auto& [id, number] : reference) {
    CHECK(index.find(id) == number);
    CHECK(index.id(number) == id);
    CHECK(views[number] == id);  // the first view, taken before the index grew
  }
  CHECK(index.find("m-absent") == DenseIdIndex::kAbsent);
  CHECK(index.find("m-1xx") == DenseIdIndex::kAbsent);  // "m-1" has one x
}

TEST_CASE("dense id index: keeps ids of any length, empty and longer than a chunk included",
          "[dense_id_index]") {
  DenseIdIndex index;
  // Around the one-byte length's limit (254, 255, 256), an empty one, and ids longer
  // than a 64 KiB chunk between short ones.
  const std::vector<std::string> ids = {std::string(254, 'a'),
                                        std::string(255, 'b'),
                                        std::string(256, 'c'),
                                        "",
                                        "m-1",
                                        std::string(70'000, 'd'),
                                        "m-2",
                                        std::string(200'000, 'e'),
                                        "m-3"};
  for (const std::string& id : ids) {
    const auto [number, inserted] = index.insert(id);
    CHECK(inserted);
    CHECK(index.id(number) == id);
  }
  for (std::uint32_t number = 0; number < ids.size(); ++number) {
    CHECK(index.find(ids[number]) == number);
    CHECK(index.id(number) == ids[number]);
    CHECK_FALSE(index.insert(ids[number]).second);
  }
  CHECK(index.find(std::string(70'001, 'd')) == DenseIdIndex::kAbsent);
}

}  // namespace
}  // namespace segmentd
