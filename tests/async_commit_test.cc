// At least once, commits that do not stop the processing (issue 10), without a broker:
// a fake sink numbers every record and acknowledges them when the test says. A commit
// sends its checkpoint record only once the output of the work it commits is
// acknowledged, writes its batch (the state as it was at the commit point) only once the
// checkpoint record is acknowledged too, never after a delivery failure, and the member
// cache keeps members changed meanwhile until a later commit has written them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/commit_turns.h"
#include "app/partition_stream.h"
#include "state/member_cache.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kJan1 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

// Numbers records as a Kafka sink does; the test acknowledges them with deliver_all().
class FakeOutput final : public TransitionSink, public ChangelogSink, public DeliveryProgress {
 public:
  void emit(const Transition&) override { ++produced; }
  void changelog_put(std::int32_t, std::string_view key, std::optional<std::string_view>) override {
    ++produced;
    changelog.emplace_back(key);
  }
  void changelog_checkpoint(std::int32_t partition, std::string_view, std::string_view) override {
    unacknowledged_checkpoints[partition] = static_cast<std::int64_t>(produced++);
    changelog.emplace_back("checkpoint");
  }
  std::optional<std::int64_t> changelog_checkpoint_offset(std::int32_t partition) const override {
    const auto it = acknowledged_checkpoints.find(partition);
    if (it == acknowledged_checkpoints.end()) return std::nullopt;
    return it->second;
  }
  std::uint64_t records_produced() const override { return produced; }
  std::uint64_t records_delivered() const override { return delivered; }
  Status delivery_status() const override { return status; }
  void await_deliveries(std::chrono::milliseconds) override {
    ++awaits;
    if (on_await) on_await();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void deliver(std::uint64_t up_to) {
    delivered = up_to;
    for (const auto& [partition, offset] : unacknowledged_checkpoints) {
      if (static_cast<std::uint64_t>(offset) < up_to) acknowledged_checkpoints[partition] = offset;
    }
  }
  void deliver_all() { deliver(produced); }
  std::size_t checkpoints_sent() const {
    return static_cast<std::size_t>(std::count(changelog.begin(), changelog.end(), "checkpoint"));
  }

  std::uint64_t produced = 0;
  std::uint64_t delivered = 0;
  Status status = Status::ok();
  int awaits = 0;
  std::function<void()> on_await;
  std::vector<std::string> changelog;
  std::map<std::int32_t, std::int64_t> unacknowledged_checkpoints;
  std::map<std::int32_t, std::int64_t> acknowledged_checkpoints;
};

// Event i: the first purchase of member m-i (a none -> new transition).
PurchaseEvent first_purchase(int i, std::string& id, std::string& member) {
  id = "e-" + std::to_string(i);
  member = "m-" + std::to_string(i);
  return {id, member, EpochMs{kJan1 + i * kDay}, EventType::purchase, Money{1000}, {}, {}};
}

struct Store {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  StateWriter writer;
  const EngineOptions options;
  Store() { REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok()); }
  std::unique_ptr<PartitionStream> restore(FakeOutput& out, std::int32_t partition = 1) {
    std::unique_ptr<PartitionStream> stream;
    REQUIRE(PartitionStream::restore(*store, partition, options, 1 << 20, out, nullptr, &out,
                                     writer, stream)
                .is_ok());
    return stream;
  }
  bool has_member(std::int32_t partition, int i) {
    MemberState state;
    bool found = false;
    REQUIRE(store
                ->read_member(StreamId{static_cast<std::uint32_t>(partition)},
                              "m-" + std::to_string(i), state, found)
                .is_ok());
    return found;
  }
  std::optional<std::int64_t> committed_offset(std::int32_t partition) {
    std::optional<StreamCheckpoint> checkpoint;
    REQUIRE(store->read_checkpoint(StreamId{static_cast<std::uint32_t>(partition)}, checkpoint)
                .is_ok());
    if (!checkpoint) return std::nullopt;
    PartitionPosition position;
    REQUIRE(decode_partition_position(checkpoint->source_position, position));
    return position.next_offset;
  }
};

// Advances the stream's commit until its batch (written on a thread of its own) is written.
std::optional<PartitionStream::WrittenCommit> until_written(PartitionStream& stream,
                                                            FakeOutput& out) {
  std::optional<PartitionStream::WrittenCommit> written;
  while (stream.commit_in_flight()) {
    REQUIRE(stream.advance_commit(out, written).is_ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return written;
}

void apply(PartitionStream& stream, int from, int to) {
  for (int i = from; i < to; ++i) {
    std::string id, member;
    stream.apply(first_purchase(i, id, member), i);
  }
}

TEST_CASE("a commit in flight waits for the output, then for its checkpoint record", "[state]") {
  Store store;
  FakeOutput out;
  auto stream = store.restore(out);
  apply(*stream, 0, 4);
  const std::uint64_t outputs = out.produced;
  REQUIRE(outputs >= 4);
  REQUIRE(stream->begin_commit(out).is_ok());
  CHECK(out.changelog.size() == 4);  // the member records go at once
  CHECK(out.checkpoints_sent() == 0);
  apply(*stream, 4, 6);  // the processing goes on

  std::optional<PartitionStream::WrittenCommit> written;
  out.deliver(outputs - 1);
  REQUIRE(stream->advance_commit(out, written).is_ok());
  CHECK(out.checkpoints_sent() == 0);  // one output of the committed work is not acknowledged

  out.deliver(outputs);
  REQUIRE(stream->advance_commit(out, written).is_ok());
  CHECK(out.checkpoints_sent() == 1);
  CHECK_FALSE(written);
  CHECK_FALSE(store.committed_offset(1));  // its checkpoint record is not acknowledged

  out.deliver_all();
  written = until_written(*stream, out);
  REQUIRE(written);
  CHECK(written->next_offset == 4);
  CHECK_FALSE(stream->commit_in_flight());
  // The state of the commit point: members 4 and 5 came after it.
  CHECK(store.committed_offset(1) == 4);
  CHECK(store.has_member(1, 3));
  CHECK_FALSE(store.has_member(1, 4));

  REQUIRE(stream->begin_commit(out).is_ok());
  out.deliver_all();
  REQUIRE(stream->advance_commit(out, written).is_ok());
  out.deliver_all();
  written = until_written(*stream, out);
  REQUIRE(written);
  CHECK(written->next_offset == 6);
  CHECK(store.has_member(1, 5));

  // A restart resumes where the state, its timers and the offset agree.
  FakeOutput again;
  auto restored = store.restore(again);
  CHECK(restored->resume_offset() == 6);
}

TEST_CASE("a commit staged over several turns writes each member as it was at its commit point",
          "[state]") {
  Store store;
  FakeOutput out;
  auto stream = store.restore(out);
  constexpr int kMembers = 3 * static_cast<int>(PartitionStream::kStageStep) + 5;
  apply(*stream, 0, kMembers);
  REQUIRE(stream->begin_commit(out).is_ok());
  CHECK(out.changelog.size() == PartitionStream::kStageStep);  // one step at the commit point
  CHECK(stream->staging());
  // A second purchase of members not staged yet (the last one loaded, then another), and
  // of one staged already (ids sort as text: m-0, m-1, m-10, m-100, ...; m-99 comes last).
  auto second_purchase = [&](int i, std::int64_t offset) {
    const std::string id = "e2-" + std::to_string(i), member = "m-" + std::to_string(i);
    stream->apply({id,
                   member,
                   EpochMs{kJan1 + (kMembers + 1) * kDay},
                   EventType::purchase,
                   Money{1000},
                   {},
                   {}},
                  offset);
  };
  second_purchase(kMembers - 1, kMembers);
  second_purchase(99, kMembers + 1);
  second_purchase(0, kMembers + 2);
  out.deliver_all();
  std::optional<PartitionStream::WrittenCommit> written;
  REQUIRE(stream->advance_commit(out, written).is_ok());
  CHECK(out.checkpoints_sent() == 0);   // still staging: the checkpoint record waits
  while (stream->commit_in_flight()) {  // acknowledging every record as it goes
    out.deliver_all();
    REQUIRE(stream->advance_commit(out, written).is_ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(written);
  CHECK(written->next_offset == kMembers);
  CHECK(out.checkpoints_sent() == 1);
  // Every member once, then the checkpoint record.
  REQUIRE(out.changelog.size() == static_cast<std::size_t>(kMembers) + 1);
  CHECK(out.changelog.back() == "checkpoint");
  auto purchases_in_store = [&](int i) {
    MemberState state;
    bool found = false;
    REQUIRE(store.store->read_member(StreamId{1}, "m-" + std::to_string(i), state, found).is_ok());
    return found ? state.figures.purchases : 0u;
  };
  CHECK(purchases_in_store(kMembers - 1) == 1);  // the state at the commit point
  CHECK(purchases_in_store(99) == 1);
  CHECK(purchases_in_store(0) == 1);
  CHECK(purchases_in_store(kMembers - 2) == 1);

  REQUIRE(stream->begin_commit(out).is_ok());  // the second purchases are the next commit's
  out.deliver_all();
  REQUIRE(stream->advance_commit(out, written).is_ok());
  out.deliver_all();
  written = until_written(*stream, out);
  REQUIRE(written);
  CHECK(written->next_offset == kMembers + 3);
  CHECK(purchases_in_store(kMembers - 1) == 2);
  CHECK(purchases_in_store(99) == 2);
  CHECK(purchases_in_store(0) == 2);
  // The checkpoints' tallies match the store.
  FakeOutput again;
  auto restored = store.restore(again);
  CHECK(restored->resume_offset() == kMembers + 3);
}

TEST_CASE("a delivery failure stops a commit in flight before anything is written", "[state]") {
  Store store;
  FakeOutput out;
  auto stream = store.restore(out);
  apply(*stream, 0, 3);
  REQUIRE(stream->begin_commit(out).is_ok());
  out.status = Status::fatal("kafka delivery to out failed: refused");
  out.deliver_all();
  std::optional<PartitionStream::WrittenCommit> written;
  const Status s = stream->advance_commit(out, written);
  CHECK(s.kind() == ErrorKind::fatal);
  CHECK_FALSE(written);
  CHECK(out.checkpoints_sent() == 0);
  CHECK_FALSE(store.committed_offset(1));
  CHECK_FALSE(store.has_member(1, 0));
}

TEST_CASE("members changed while a commit is in flight survive its eviction", "[state]") {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  const StreamId stream{0};
  MemberCache cache(*store, stream, 1);  // every member over the budget: evict all it may
  auto change = [&](const std::string& id) {
    MemberState& m = cache.load(id);
    m.known = true;
    m.seq += 1;
    cache.mark_changed();
  };
  change("a");
  REQUIRE(cache.stage_members(StreamCheckpoint{}).is_ok());
  change("a");  // again, after the commit point
  change("b");  // new after the commit point
  REQUIRE(cache.write_staged("first").is_ok());
  CHECK(cache.resident_members() == 2);  // both changed since the batch: kept
  auto seq_in_store = [&](const std::string& id) {
    MemberState state;
    bool found = false;
    REQUIRE(store->read_member(stream, id, state, found).is_ok());
    return found ? state.seq : 0;
  };
  CHECK(seq_in_store("a") == 1);  // the state as staged
  CHECK(seq_in_store("b") == 0);
  REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
  CHECK(seq_in_store("a") == 2);
  CHECK(seq_in_store("b") == 1);
  CHECK(cache.resident_members() == 0);
  // The tally written with the checkpoints matches the store.
  MemberCache reopened(*store, stream, 1 << 20);
  TimerIndex timers;
  CHECK(reopened.load_timers(timers).is_ok());
}

TEST_CASE("a commit staged again before its write loses no member", "[state]") {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  const StreamId stream{0};
  MemberCache cache(*store, stream, 1 << 20);
  MemberState& m = cache.load("a");
  m.known = true;
  cache.mark_changed();
  REQUIRE(cache.stage_members(StreamCheckpoint{}).is_ok());
  // Staged again without a write (the caller dropped that commit, or its write failed).
  REQUIRE(cache.stage_members(StreamCheckpoint{}).is_ok());
  REQUIRE(cache.write_staged("p").is_ok());
  MemberState state;
  bool found = false;
  REQUIRE(store->read_member(stream, "a", state, found).is_ok());
  CHECK(found);
}

TEST_CASE("a partition's turn waits for its previous commit still in flight", "[state]") {
  Store store;
  FakeOutput out;
  PartitionStreams streams;
  streams[0] = store.restore(out, 0);
  streams[1] = store.restore(out, 1);
  std::vector<std::pair<std::int32_t, std::int64_t>> committed;
  const CommitTurns::OnWritten on_written = [&](std::int32_t partition,
                                                const PartitionStream::WrittenCommit& w) {
    committed.emplace_back(partition, w.next_offset.value_or(-1));
  };
  CommitTurns turns;
  apply(*streams[0], 0, 2);
  apply(*streams[1], 10, 12);
  REQUIRE(turns.step(streams, out, true, on_written).is_ok());  // partition 0 begins
  REQUIRE(turns.step(streams, out, false, on_written).is_ok());
  REQUIRE(turns.step(streams, out, true, on_written).is_ok());  // partition 1 begins
  CHECK(streams[0]->commit_in_flight());
  CHECK(streams[1]->commit_in_flight());
  CHECK(out.awaits == 0);
  apply(*streams[0], 2, 3);
  out.on_await = [&] { out.deliver_all(); };
  REQUIRE(turns.step(streams, out, true, on_written).is_ok());  // partition 0's turn again
  CHECK(out.awaits > 0);
  REQUIRE(committed.size() >= 1);
  CHECK(committed[0] == std::pair<std::int32_t, std::int64_t>{0, 2});
  REQUIRE(turns.finish(streams, out, on_written).is_ok());
  CHECK_FALSE(streams[0]->commit_in_flight());
  CHECK_FALSE(streams[1]->commit_in_flight());
  CHECK(store.committed_offset(0) == 3);
  CHECK(store.committed_offset(1) == 12);
}

}  // namespace
}  // namespace segmentd
