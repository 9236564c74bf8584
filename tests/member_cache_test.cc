#include "state/member_cache.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace segmentd {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "segmentd-test-XXXXXX");
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string member(int i) { return "member-" + std::to_string(i); }

// Commits `count` members, each with seq = i + 1, a timer at i and one event id.
void commit_members(StateStore& store, int count) {
  MemberCache cache(store, StreamId{0}, 64 << 20);
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  for (int i = 0; i < count; ++i) {
    MemberState& m = cache.load(member(i));
    m.known = true;
    m.seq = static_cast<std::uint64_t>(i) + 1;
    m.timer = EpochMs{i};
    m.recent_events.add("event-of-" + member(i), 32);
    cache.mark_changed();
  }
  REQUIRE(cache.commit({}).is_ok());
}

TEST_CASE("a restart restores members and timers; all resident, new ids skip reads", "[cache]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  commit_members(*store, 300);
  MemberCache restarted(*store, StreamId{0}, 64 << 20);
  TimerIndex timers;
  REQUIRE(restarted.load_timers(timers).is_ok());
  CHECK(restarted.resident_members() == 300);
  CHECK(timers.size() == 300);
  CHECK(restarted.load(member(123)).seq == 124);
  CHECK(restarted.load(member(123)).recent_events.contains("event-of-" + member(123)));
  CHECK(timers.pop_due(EpochMs{0})->member_id == member(0));

  // Every stored member is resident, so an id not in memory is taken as new without
  // reading RocksDB: a record written behind the cache's back stays unseen.
  {
    MemberCache other(*store, StreamId{0}, 64 << 20);
    other.load("behind-the-back").seq = 77;
    other.mark_changed();
    REQUIRE(other.commit({}).is_ok());
  }
  CHECK_FALSE(restarted.load("behind-the-back").known);
  CHECK(restarted.resident_bytes() <= std::size_t{64} << 20);
}

TEST_CASE("a restart over budget restores some members and reads the rest back", "[cache]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  commit_members(*store, 2000);
  MemberCache restarted(*store, StreamId{0}, 128 * 1024);
  TimerIndex timers;
  REQUIRE(restarted.load_timers(timers).is_ok());
  CHECK(timers.size() == 2000);  // every timer, resident or not
  CHECK(restarted.resident_members() < 2000);
  for (int i = 0; i < 2000; i += 7) CHECK(restarted.load(member(i)).seq == i + 1U);
}

TEST_CASE("the working member is saved when another member is loaded", "[cache]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  {
    MemberCache cache(*store, StreamId{0}, 1 << 20);
    for (int round = 1; round <= 3; ++round) {
      for (const char* id : {"a", "b"}) {
        MemberState& m = cache.load(id);
        m.seq = static_cast<std::uint64_t>(round);
        m.recent_events.add(std::string(id) + std::to_string(round), 32);
        cache.mark_changed();
      }
    }
    CHECK(cache.load("a").seq == 3);
    cache.load("b").seq = 99;  // not marked changed: dropped when another member loads
    CHECK(cache.load("a").recent_events.size() == 3);
    CHECK(cache.load("b").seq == 3);
    REQUIRE(cache.commit({}).is_ok());
  }
  MemberCache restarted(*store, StreamId{0}, 1 << 20);
  TimerIndex timers;
  REQUIRE(restarted.load_timers(timers).is_ok());
  CHECK(restarted.load("a").seq == 3);
  CHECK(restarted.load("b").recent_events.oldest_first() ==
        std::vector<std::string>{"b1", "b2", "b3"});
}

TEST_CASE("load_timers refuses to run after members were loaded", "[cache]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  MemberCache cache(*store, StreamId{0}, 1 << 20);
  cache.load("early");
  TimerIndex timers;
  CHECK_FALSE(cache.load_timers(timers).is_ok());
}

}  // namespace
}  // namespace segmentd
