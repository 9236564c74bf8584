// The state changelog's restore (app/changelog_restore.h) against librdkafka's mock
// cluster: records written by MemberCache's stage() are read back into an empty store,
// an unfinished commit's records are left out and reported, a corrupt record is a fatal
// error naming topic, partition and offset, and a store made before the changelog is
// kept and copied to the empty changelog at the next commit; a stopped restore (standby
// replicas) leaves the store at the last checkpoint it read.
#include "app/changelog_restore.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "app/partition_position.h"
#include "state/changelog_record.h"
#include "state/member_cache.h"
#include "tests/support/changelog_fixture.h"

namespace segmentd {
namespace {

using namespace testing;

TEST_CASE(
    "kafka: changelog restore: the records before the last checkpoint, not an unfinished "
    "commit's") {
  Cluster kafka;
  std::vector<Record> records = commit_records({"alice", "bob"});
  REQUIRE(records.size() == 3);
  CHECK(records[0].key == "malice");
  CHECK(records[2].key == kChangelogCheckpointKey);
  std::vector<Record> unfinished = commit_records({"carol"});
  records.push_back(unfinished.front());  // a commit cut short before its checkpoint
  kafka.produce(records);

  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  auto reader = kafka.reader();
  ChangelogRestore restore;
  std::uint64_t reported = 0;
  REQUIRE(restore_from_changelog(
              *store, *reader, 0, [&](std::uint64_t n, std::uint64_t) { reported += n; }, restore)
              .is_ok());
  CHECK(restore.records == 4);
  CHECK(reported == 4);
  CHECK(restore.unfinished == std::vector<std::string>{"carol"});
  CHECK_FALSE(restore.seed);
  CHECK(member_count(*store) == 2);
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(kStream, checkpoint).is_ok());
  REQUIRE(checkpoint);
  PartitionPosition position;
  REQUIRE(decode_partition_position(checkpoint->source_position, position));
  CHECK(position.next_offset == 42);
  CHECK(position.changelog_offset == 2);
  // The restored store passes the tally check of every restore.
  MemberCache cache(*store, kStream, 1 << 20);
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  CHECK(timers.size() == 1);

  SECTION("up to date: nothing is read again") {
    ChangelogRestore again;
    REQUIRE(restore_from_changelog(*store, *reader, 0, {}, again).is_ok());
    CHECK(again.records == 1);  // only the unfinished record after the checkpoint
    CHECK(again.unfinished == std::vector<std::string>{"carol"});
  }
}

TEST_CASE("kafka: changelog restore: a stop keeps what was read up to the last checkpoint") {
  Cluster kafka;
  std::vector<Record> records = commit_records({"alice", "bob"});  // offsets 0-2
  std::vector<std::string> many;
  for (int i = 0; i < 20000; ++i) many.push_back("m" + std::to_string(i));
  const std::vector<Record> large = commit_records(many);  // offsets 3-20003
  records.insert(records.end(), large.begin(), large.end());
  kafka.produce(records);

  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  auto reader = kafka.reader();
  std::atomic<bool> stop{false};
  ChangelogRestore stopped;
  // The first progress report comes 16384 records in, inside the large commit.
  REQUIRE(
      restore_from_changelog(
          *store, *reader, 0, [&](std::uint64_t, std::uint64_t) { stop = true; }, stopped, &stop)
          .is_ok());
  CHECK(stopped.records < records.size());
  CHECK(stopped.behind == static_cast<std::int64_t>(records.size()));
  CHECK(member_count(*store) == 2);
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(kStream, checkpoint).is_ok());
  REQUIRE(checkpoint);
  PartitionPosition position;
  REQUIRE(decode_partition_position(checkpoint->source_position, position));
  CHECK(position.changelog_offset == 2);

  // The next restore goes on from there.
  ChangelogRestore rest;
  REQUIRE(restore_from_changelog(*store, *reader, 0, {}, rest).is_ok());
  CHECK(rest.behind == static_cast<std::int64_t>(large.size()));
  CHECK(rest.records == large.size());
  CHECK(member_count(*store) == 20002);
}

TEST_CASE(
    "kafka: changelog restore: without a broker, a read gives up after state.restore_timeout") {
  Cluster kafka;
  kafka.produce(commit_records({"alice"}));
  const auto timeout = std::chrono::milliseconds(1000);
  auto reader = kafka.reader(timeout);
  kafka.cluster->set_brokers_up(false);
  const std::string where = std::string(kTopic) + " partition 0";

  SECTION("asking for the partition's offsets") {
    const auto start = std::chrono::steady_clock::now();
    std::int64_t low = 0;
    std::int64_t high = 0;
    const Status s = reader->watermarks(0, low, high);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Catch::Contains("reading the offsets of " + where));
    CHECK(took >= timeout);
    CHECK(took < timeout + std::chrono::seconds(10));  // plus one request at most
  }
  SECTION("reading its records") {
    const auto start = std::chrono::steady_clock::now();
    std::size_t seen = 0;
    const Status s = reader->read(0, 0, 3, [&](const ChangelogEntry&) {
      ++seen;
      return Status::ok();
    });
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(s.is_ok());
    CHECK(seen == 0);
    CHECK_THAT(s.message(), Catch::Contains("reading " + where));
    CHECK(took >= timeout);
    CHECK(took < timeout + std::chrono::seconds(10));
  }
}

TEST_CASE(
    "kafka: changelog restore: a corrupt record is fatal and names topic, partition and offset") {
  Cluster kafka;
  std::vector<Record> records = commit_records({"alice"});
  records.insert(records.begin() + 1, Record{"mmallory", std::string("\x7f garbage")});
  kafka.produce(records);
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  auto reader = kafka.reader();
  ChangelogRestore restore;
  const Status s = restore_from_changelog(*store, *reader, 0, {}, restore);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::fatal);
  CHECK_THAT(s.message(), Catch::Contains(std::string("state changelog ") + kTopic +
                                          " partition 0 offset 1 is corrupt: member 'mallory'"));
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(kStream, checkpoint).is_ok());
  CHECK_FALSE(checkpoint);
}

TEST_CASE("kafka: changelog restore: a store made before the changelog is kept and seeds it") {
  Cluster kafka;
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  {
    MemberCache cache(*store, kStream, 1 << 20);
    cache.load("dave") = member(3, true);
    cache.mark_changed();
    cache.load("erin") = member(4, false);
    cache.mark_changed();
    // A position of format 2, as written before the changelog: no changelog offset.
    StreamCheckpoint old = checkpoint_at(7);
    old.source_position.front() = 2;
    old.source_position.pop_back();  // the changelog offset -1 (one byte)
    PartitionPosition decoded;
    REQUIRE(decode_partition_position(old.source_position, decoded));
    CHECK(decoded.changelog_offset == -1);
    REQUIRE(cache.commit(old).is_ok());
  }
  auto reader = kafka.reader();
  ChangelogRestore restore;
  REQUIRE(restore_from_changelog(*store, *reader, 0, {}, restore).is_ok());
  CHECK(restore.seed);
  CHECK(restore.records == 0);
  CHECK(member_count(*store) == 2);

  ChangelogRecordingSink sink;
  MemberCache cache(*store, kStream, 1 << 20, &sink);
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  cache.seed_changelog();
  REQUIRE(cache.stage(checkpoint_at(7)).is_ok());
  REQUIRE(cache.write_staged(checkpoint_at(7).source_position).is_ok());
  REQUIRE(sink.records.size() == 3);
  CHECK(sink.records[0].key == "mdave");
  CHECK(sink.records[1].key == "merin");
  CHECK(sink.records[2].key == kChangelogCheckpointKey);
  MemberState decoded;
  REQUIRE(decode_member(*sink.records[0].value, decoded));
  CHECK(decoded.figures.purchases == 3);

  // Once seeded, a commit sends only what changed.
  sink.records.clear();
  REQUIRE(cache.commit(checkpoint_at(8)).is_ok());
  CHECK(sink.records.size() == 1);
}

TEST_CASE("changelog: an unfinished commit's members are rewritten, or tombstoned if unknown") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  ChangelogRecordingSink sink;
  MemberCache cache(*store, kStream, 1 << 20, &sink);
  cache.load("frank") = member(1, false);
  cache.mark_changed();
  REQUIRE(cache.commit(checkpoint_at(1)).is_ok());
  sink.records.clear();
  cache.rewrite_in_changelog({"frank", "ghost"});
  REQUIRE(cache.commit(checkpoint_at(2)).is_ok());
  REQUIRE(sink.records.size() == 3);
  CHECK(sink.records[0].key == "mghost");
  CHECK_FALSE(sink.records[0].value.has_value());
  CHECK(sink.records[1].key == "mfrank");
  CHECK(sink.records[1].value.has_value());
  CHECK(member_count(*store) == 1);
}

}  // namespace
}  // namespace segmentd
