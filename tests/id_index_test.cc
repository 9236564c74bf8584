#include "engine/id_index.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace segmentd {
namespace {

// An owner in the style of the real ones: ids live in its slot array.
struct Owner {
  IdIndex index;
  std::vector<std::string> ids;
  std::uint32_t find(std::string_view id) const {
    return index.find(id, [this](std::uint32_t slot) -> std::string_view { return ids[slot]; });
  }
};

TEST_CASE("the id index finds what was inserted and nothing else", "[id_index]") {
  Owner owner;
  CHECK(owner.find("a") == IdIndex::kNoSlot);
  for (std::uint32_t slot = 0; slot < 1000; ++slot) {
    owner.ids.push_back("m-" + std::to_string(slot));
    owner.index.insert(owner.ids.back(), slot);
  }
  CHECK(owner.index.size() == 1000);
  for (std::uint32_t slot = 0; slot < 1000; ++slot) CHECK(owner.find(owner.ids[slot]) == slot);
  CHECK(owner.find("m-1000") == IdIndex::kNoSlot);
  CHECK(owner.find("") == IdIndex::kNoSlot);
  CHECK(owner.index.memory_bytes() >= 1000 * sizeof(std::uint64_t));
}

TEST_CASE("the id index stays exact through random inserts and erases", "[id_index]") {
  Owner owner;
  std::map<std::string, std::uint32_t> reference;
  std::vector<std::uint32_t> free_slots;
  std::mt19937_64 rng(42);
  for (int step = 0; step < 200'000; ++step) {
    const std::string id = "id" + std::to_string(rng() % 3000);
    const auto it = reference.find(id);
    const std::uint32_t found = owner.find(id);
    REQUIRE(found == (it == reference.end() ? IdIndex::kNoSlot : it->second));
    if (it == reference.end()) {
      std::uint32_t slot = static_cast<std::uint32_t>(owner.ids.size());
      if (free_slots.empty()) {
        owner.ids.push_back(id);
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
        owner.ids[slot] = id;
      }
      owner.index.insert(id, slot);
      reference.emplace(id, slot);
    } else if (rng() % 2 == 0) {
      owner.index.erase(id, it->second);
      free_slots.push_back(it->second);
      owner.ids[it->second].clear();
      reference.erase(it);
    }
    REQUIRE(owner.index.size() == reference.size());
  }
  for (const auto& [id, slot] : reference) CHECK(owner.find(id) == slot);
}

}  // namespace
}  // namespace segmentd
