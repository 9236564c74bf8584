#include "engine/timer_index.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace segmentd {
namespace {

constexpr std::int64_t kHour = 3'600'000;

std::vector<std::string> drain(TimerIndex& index, std::int64_t clock) {
  std::vector<std::string> fired;
  while (auto e = index.pop_due(EpochMs{clock})) {
    fired.push_back(e->member_id + "@" + std::to_string(e->due.ms));
  }
  return fired;
}

TEST_CASE("timers fire in (due, member id bytewise) order, only when due", "[timers]") {
  TimerIndex index;
  index.set("b", EpochMs{20});
  index.set("a", EpochMs{20});
  index.set("\xc3\xa9", EpochMs{20});   // bytes above ASCII sort last
  index.set("c", EpochMs{-5 * kHour});  // negative times sort first
  index.set("d", EpochMs{30 * kHour});
  CHECK(index.size() == 5);
  CHECK(drain(index, 19).size() == 1);
  CHECK(drain(index, 20) == std::vector<std::string>{"a@20", "b@20", "\xc3\xa9@20"});
  CHECK(index.size() == 1);
  CHECK(drain(index, 40 * kHour) == std::vector<std::string>{"d@" + std::to_string(30 * kHour)});
  CHECK(index.size() == 0);
}

TEST_CASE("setting a timer replaces the member's previous one; nullopt cancels", "[timers]") {
  TimerIndex index;
  index.set("m", EpochMs{10});
  index.set("m", EpochMs{50});
  index.set("m", EpochMs{10});  // back to an earlier due: only the newest entry counts
  index.set("n", EpochMs{5});
  index.set("n", std::nullopt);
  index.set("never-set", std::nullopt);
  CHECK(index.size() == 1);
  CHECK(drain(index, 100) == std::vector<std::string>{"m@10"});
  CHECK(drain(index, 100).empty());
}

TEST_CASE("a timer set while its bucket is being fired keeps the order", "[timers]") {
  TimerIndex index;
  index.set("x", EpochMs{100});
  index.set("y", EpochMs{300});
  REQUIRE(index.pop_due(EpochMs{150})->member_id == "x");  // the bucket is now sorted
  index.set("z", EpochMs{200});
  index.set("w", EpochMs{120});  // already due: fires at the next advance
  CHECK(drain(index, 150) == std::vector<std::string>{"w@120"});
  CHECK(drain(index, 1000) == std::vector<std::string>{"z@200", "y@300"});
}

// The index against a plain ordered set, through many moves, cancels and fires: the
// stale entries it keeps, drops and whose slots it reuses must never show.
TEST_CASE("the timer index matches an ordered set under random use", "[timers]") {
  TimerIndex index;
  std::set<std::pair<std::int64_t, std::string>> reference;
  std::map<std::string, std::int64_t> due_of;
  std::mt19937_64 rng(7);
  std::int64_t clock = 0;
  for (int step = 0; step < 300'000; ++step) {
    const std::string id = "m" + std::to_string(rng() % 2000);
    if (rng() % 10 == 0) {
      clock += static_cast<std::int64_t>(rng() % (2 * kHour));
      std::vector<std::string> expected;
      while (!reference.empty() && reference.begin()->first <= clock) {
        const auto [due, member] = *reference.begin();
        expected.push_back(member + "@" + std::to_string(due));
        reference.erase(reference.begin());
        due_of.erase(member);
      }
      REQUIRE(drain(index, clock) == expected);
    } else {
      std::optional<EpochMs> due;
      if (rng() % 8 != 0) due = EpochMs{clock + static_cast<std::int64_t>(rng() % (200 * kHour))};
      if (const auto it = due_of.find(id); it != due_of.end()) {
        reference.erase({it->second, id});
        due_of.erase(it);
      }
      if (due) {
        reference.insert({due->ms, id});
        due_of[id] = due->ms;
      }
      index.set(id, due);
    }
    REQUIRE(index.size() == reference.size());
  }
}

}  // namespace
}  // namespace segmentd
