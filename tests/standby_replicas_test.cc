// Standby replicas (app/standby_replicas.h) on librdkafka's mock cluster: a partition the
// engine does not own is kept up to its changelog's last checkpoint (never an unfinished
// commit's records); once claimed, the standby leaves it alone and the owner's restore
// reads only what came after; once released, the standby goes on from the owner's state.
// The thread runs on real time: the tests wait for what it does (or for it to go round a
// few times, counted by its chooser), with a deadline.
#include "app/standby_replicas.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "app/changelog_restore.h"
#include "tests/support/changelog_fixture.h"

namespace segmentd {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr StandbySettings kFast{5ms, 20ms, 20ms, 50ms};

std::int64_t local_changelog_offset(StateStore& store) {
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store.read_checkpoint(kStream, checkpoint).is_ok());
  if (!checkpoint) return -1;
  PartitionPosition position;
  REQUIRE(decode_partition_position(checkpoint->source_position, position));
  return position.changelog_offset;
}

bool has_member(StateStore& store, const std::string& id) {
  MemberState state;
  bool found = false;
  REQUIRE(store.read_member(kStream, id, state, found).is_ok());
  return found;
}

// Waits up to 10 s for `condition`.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

struct Standby {
  Cluster kafka;
  TempDir dir;
  std::unique_ptr<StateStore> store;
  std::atomic<int> choices{0};  // calls of the chooser: the standby thread went round
  std::unique_ptr<StandbyReplicas> standby;
  Standby() {
    REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
    kafka.produce(commit_records({"alice", "bob"}));  // offsets 0-2, checkpoint at 2
  }
  // The chooser's answer; the test may change it while the thread runs.
  std::mutex choice_mutex;
  std::optional<StandbyChoice> choice;
  void choose(std::optional<StandbyChoice> next) {
    std::lock_guard lock(choice_mutex);
    choice = std::move(next);
  }
  void start(std::optional<StandbyChoice> first = StandbyChoice{{0}, {}}) {
    choose(std::move(first));
    standby = std::make_unique<StandbyReplicas>(
        *store, kafka.reader(),
        [this] {
          std::lock_guard lock(choice_mutex);
          ++choices;
          return choice;
        },
        kFast);
  }
  // Waits until the standby thread has gone round `rounds` more times (each round makes a
  // choice, then a pass over the partitions it keeps).
  void wait_rounds(int rounds) {
    const int from = choices;
    REQUIRE(eventually([&] { return choices >= from + rounds + 1; }));
  }
};

TEST_CASE("kafka: standby replica: keeps a partition it does not own up to its last checkpoint") {
  Standby s;
  std::vector<Record> records = commit_records({"carol"});  // offsets 3-4
  records.push_back(commit_records({"dave"}).front());      // 5: a commit cut short
  s.kafka.produce(records);
  s.start();
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 4; }));
  CHECK(has_member(*s.store, "alice"));
  CHECK(has_member(*s.store, "carol"));
  CHECK_FALSE(has_member(*s.store, "dave"));
  REQUIRE(eventually([&] { return s.standby->figures().lag_records == 0; }));
  const StandbyFigures figures = s.standby->figures();
  CHECK(figures.partitions == 1);
  CHECK(figures.records_read >= 6);

  // The owner's next commit (offsets 6-7) is applied as it comes.
  s.kafka.produce(commit_records({"erin"}));
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 7; }));
  CHECK(has_member(*s.store, "dave"));  // rewritten by the next commit in the real engine;
  CHECK(has_member(*s.store, "erin"));  // here its record precedes a finished commit
}

TEST_CASE(
    "kafka: standby replica: claimed, it stops before the owner restores, and released, it "
    "goes on") {
  Standby s;
  s.start();
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 2; }));
  CHECK(s.standby->claim({0}) == std::vector<std::int32_t>{0});  // it was warm
  CHECK(s.standby->figures().partitions == 0);

  s.kafka.produce(commit_records({"carol"}));  // offsets 3-4, by another instance
  s.wait_rounds(3);
  CHECK(local_changelog_offset(*s.store) == 2);  // the standby left it alone
  CHECK_FALSE(has_member(*s.store, "carol"));

  // The owner's restore reads only the commit after the standby's checkpoint.
  auto reader = s.kafka.reader();
  ChangelogRestore restore;
  REQUIRE(restore_from_changelog(*s.store, *reader, 0, {}, restore).is_ok());
  CHECK(restore.records == 2);
  CHECK(local_changelog_offset(*s.store) == 4);

  s.kafka.produce(commit_records({"dave"}));  // offsets 5-6
  s.wait_rounds(3);
  CHECK(local_changelog_offset(*s.store) == 4);
  s.standby->release({0});
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 6; }));
  CHECK(has_member(*s.store, "dave"));
  CHECK(s.standby->figures().partitions == 1);
}

TEST_CASE(
    "kafka: standby replica: a kept partition the group assigns to this instance stays warm "
    "until the engine claims it") {
  // The group's description can show the new assignment before the engine's rebalance
  // callback claims the partition.
  Standby s;
  s.start();
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 2; }));
  s.choose(StandbyChoice{{}, {0}});
  s.wait_rounds(3);
  s.kafka.produce(commit_records({"carol"}));  // offsets 3-4, the previous owner's last
  REQUIRE(eventually([&] { return local_changelog_offset(*s.store) == 4; }));
  CHECK(s.standby->figures().partitions == 1);
  CHECK(s.standby->claim({0}) == std::vector<std::int32_t>{0});  // it was warm

  // Claimed and released, it is kept again only when chosen as a standby.
  s.standby->release({0});
  s.wait_rounds(3);
  CHECK(s.standby->figures().partitions == 0);
  s.kafka.produce(commit_records({"dave"}));  // offsets 5-6
  s.wait_rounds(3);
  CHECK(local_changelog_offset(*s.store) == 4);
}

TEST_CASE("kafka: standby replica: a partition never kept is not warm when claimed") {
  Standby s;
  s.start(StandbyChoice{{}, {0}});
  s.wait_rounds(3);
  CHECK(s.standby->claim({0}).empty());
  CHECK(local_changelog_offset(*s.store) == -1);
}

TEST_CASE("kafka: standby replica: nothing chosen, nothing kept") {
  Standby s;
  s.start(std::nullopt);
  s.wait_rounds(3);
  CHECK(local_changelog_offset(*s.store) == -1);
  CHECK(s.standby->figures().partitions == 0);
}

}  // namespace
}  // namespace segmentd
