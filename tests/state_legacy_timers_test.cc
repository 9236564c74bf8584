// Stores written before timers lived only in member records kept them in a `timers`
// column family as well: opening such a store drops that family, and the timers come
// back from the member records.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "state/legacy_store.h"
#include "state/member_cache.h"
#include "state/state_store.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

using testing::TempDir;

constexpr StreamId kStream{3};
constexpr EpochMs kDue{1'710'000'000'000};

MemberState member_with_timer(std::optional<EpochMs> timer) {
  MemberState m;
  m.known = true;
  m.figures.purchases = 1;
  m.figures.first_purchase = EpochMs{1'700'000'000'000};
  m.figures.last_purchase = m.figures.first_purchase;
  m.figures.days = {{19675, 1, Money{5}}};
  m.seq = 1;
  m.timer = timer;
  return m;
}

TEST_CASE(
    "a store with the timers column family opens, drops it and restores timers from "
    "the member records",
    "[state]") {
  TempDir dir;
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    MemberCache cache(*store, kStream, 1 << 20);
    TimerIndex timers;
    REQUIRE(cache.load_timers(timers).is_ok());
    cache.load("alice") = member_with_timer(kDue);
    cache.mark_changed();
    cache.load("bob") = member_with_timer(std::nullopt);
    cache.mark_changed();
    REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
  }
  REQUIRE_FALSE(has_column_family(dir.path.string(), "timers"));
  REQUIRE(add_legacy_timer(dir.path.string(), kStream, kDue, "alice").is_ok());
  REQUIRE(has_column_family(dir.path.string(), "timers"));

  for (int reopen = 0; reopen < 2; ++reopen) {
    std::unique_ptr<StateStore> store;
    const Status opened = StateStore::open({dir.path.string()}, store);
    INFO(opened.message());
    REQUIRE(opened.is_ok());
    MemberCache cache(*store, kStream, 1 << 20);
    TimerIndex timers;
    const Status restored = cache.load_timers(timers);
    INFO(restored.message());
    REQUIRE(restored.is_ok());
    REQUIRE(timers.size() == 1);
    const auto entry = timers.pop_due(kDue);
    REQUIRE(entry);
    CHECK(entry->member_id == "alice");
    CHECK(entry->due == kDue);
    store.reset();
    CHECK_FALSE(has_column_family(dir.path.string(), "timers"));
  }
}

}  // namespace
}  // namespace segmentd
