// TimerIndex fires exactly what an ordered set of (due, member id) would, in the same
// order, through moves, removals, timers added to the bucket being fired, negative due
// times, ids alike in their first 8 bytes and the compaction of stale entries.
#include "engine/timer_index.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace segmentd {
namespace {

// The reference: one (due, id) per member, in an ordered set.
class ReferenceTimers {
 public:
  void set(const std::string& id, std::optional<EpochMs> due) {
    if (auto it = due_.find(id); it != due_.end()) {
      order_.erase({it->second, id});
      due_.erase(it);
    }
    if (due) {
      due_[id] = due->ms;
      order_.insert({due->ms, id});
    }
  }
  std::optional<std::pair<std::int64_t, std::string>> pop_due(std::int64_t clock) {
    if (order_.empty() || order_.begin()->first > clock) return std::nullopt;
    auto entry = *order_.begin();
    order_.erase(order_.begin());
    due_.erase(entry.second);
    return entry;
  }
  std::optional<EpochMs> due(const std::string& id) const {
    auto it = due_.find(id);
    return it == due_.end() ? std::nullopt : std::optional<EpochMs>(EpochMs{it->second});
  }
  std::size_t size() const { return due_.size(); }

 private:
  std::map<std::string, std::int64_t> due_;
  std::set<std::pair<std::int64_t, std::string>> order_;
};

TEST_CASE("the timer index fires like an ordered set of (due, member id)", "[timers]") {
  std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
  auto next = [&rng](std::uint64_t bound) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % bound;
  };
  constexpr std::int64_t kHour = 3'600'000;
  TimerIndex index;
  ReferenceTimers reference;
  std::int64_t clock = -3 * kHour;  // crosses the epoch: negative due times too
  std::uint64_t fired = 0;
  for (int step = 0; step < 200'000; ++step) {
    // Half the ids share their first 8 bytes: ordering them needs more than the prefix.
    const std::string id = (next(2) == 0 ? "m" : "member-id-") + std::to_string(next(3'000));
    const std::uint64_t op = next(100);
    if (op < 60) {  // set or move a timer: often in the current hour, sometimes the same ms
      const std::int64_t ahead = op < 20 ? static_cast<std::int64_t>(next(kHour))
                                         : static_cast<std::int64_t>(next(200 * kHour));
      const EpochMs to{clock + (op < 5 ? 0 : ahead)};
      index.move(id, reference.due(id), to);
      reference.set(id, to);
    } else if (op < 75) {  // cancel
      index.move(id, reference.due(id), std::nullopt);
      reference.set(id, std::nullopt);
    } else {  // the clock moves on and everything due fires
      clock += static_cast<std::int64_t>(next(2 * kHour));
      for (;;) {
        const auto expected = reference.pop_due(clock);
        const auto got = index.pop_due(EpochMs{clock});
        REQUIRE(expected.has_value() == got.has_value());
        if (!expected) break;
        REQUIRE(got->due.ms == expected->first);
        REQUIRE(got->member_id == expected->second);
        ++fired;
      }
    }
    REQUIRE(index.size() == reference.size());
  }
  CHECK(fired > 10'000);
}

TEST_CASE("timers due at the same instant fire in member id byte order", "[timers]") {
  TimerIndex index;
  for (const char* id : {"b", "a", "\xc3\xa9", "B", "ab"}) index.add(EpochMs{5}, id);
  std::string order;
  while (auto entry = index.pop_due(EpochMs{5})) order += entry->member_id + ",";
  CHECK(order == "B,a,ab,b,\xc3\xa9,");
  CHECK(index.size() == 0);
}

TEST_CASE("the timer index names the members of the timers it will fire next", "[timers]") {
  TimerIndex index;
  CHECK(index.upcoming_member(0).empty());
  for (int i = 0; i < 20; ++i)
    index.add(EpochMs{1'000 + 7 * ((i * 11) % 20)}, "m" + std::to_string(i));
  // The hour's bucket is ordered by the first pop: from then on the hints are exact.
  REQUIRE(index.pop_due(EpochMs{2'000}));
  std::vector<std::string> hinted;
  for (std::size_t k = 0; k < 19; ++k) {
    index.prefetch_upcoming(k);  // a hint only: changes nothing
    hinted.emplace_back(index.upcoming_member(k));
  }
  CHECK(index.upcoming_member(19).empty());  // past the bucket's timers
  CHECK(index.size() == 19);
  std::vector<std::string> fired;
  while (auto entry = index.pop_due(EpochMs{2'000})) fired.push_back(entry->member_id);
  CHECK(fired == hinted);
}

}  // namespace
}  // namespace segmentd
