// Exactly once, without a broker: a partition stream whose local state is behind the
// committed transaction (a crash between the Kafka commit and the state write) catches
// up silently to the committed offset and clock, then emits exactly what the stream that
// made the transaction emitted after it.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "app/partition_stream.h"
#include "connectors/transition_json.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kJan1 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

class JsonSink final : public TransitionSink {
 public:
  void emit(const Transition& t) override {
    std::string line;
    append_transition_json(line, t);
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

struct Event {
  std::string id, member;
  std::int64_t ts;
  PurchaseEvent view() const {
    return {id, member, EpochMs{ts}, EventType::purchase, Money{1000}, {}, {}};
  }
};

// Event i: member m-(i % 3), every other day from 2024-01-01 (events 6 and 7 are late
// after the idle advance to day 114, which makes every member dormant); events 8 and 9
// come after that day.
Event event(int i) {
  const std::int64_t day = i < 8 ? 2 * i : 112 + 2 * i;
  return {"e-" + std::to_string(i), "m-" + std::to_string(i % 3), kJan1 + day * kDay};
}

constexpr EpochMs kIdleClock{kJan1 + 114 * kDay};

struct Store {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  StateWriter writer;
  const EngineOptions options;
  Store() { REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok()); }
  std::unique_ptr<PartitionStream> restore(JsonSink& sink) {
    std::unique_ptr<PartitionStream> stream;
    REQUIRE(PartitionStream::restore(*store, 1, options, 1 << 20, sink, nullptr, nullptr, writer,
                                     stream)
                .is_ok());
    return stream;
  }
};

// A stream that committed the input before `local` locally, and then a Kafka
// transaction holding the input up to offset 8 (with an idle advance to kIdleClock at
// its start when `idle`), before it died. Returns that transaction's group commit and
// what the stream would have emitted after it (events 8 and 9).
struct Original {
  PartitionStream::GroupCommit committed;
  std::vector<std::string> emitted_after;
  ProcessorCheckpoint final_checkpoint;
};

Original run_original(Store& store, std::int64_t local, bool idle) {
  JsonSink out;
  auto stream = store.restore(out);
  for (int i = 0; i < local; ++i) stream->apply(event(i).view(), i);
  REQUIRE(stream->stage().is_ok());
  REQUIRE(stream->write(std::nullopt).is_ok());
  stream->transaction_committed();
  if (idle) stream->advance_clock_to(kIdleClock);
  for (int i = static_cast<int>(local); i < 8; ++i) stream->apply(event(i).view(), i);
  Original original{*stream->group_commit(), {}, {}};
  const std::size_t before = out.lines.size();
  for (int i = 8; i < 10; ++i) stream->apply(event(i).view(), i);
  original.emitted_after.assign(out.lines.begin() + static_cast<std::ptrdiff_t>(before),
                                out.lines.end());
  original.final_checkpoint = stream->checkpoint();
  return original;
}

// Restarts on the store, catches up to `original`'s transaction, reads events 6 to 9.
void check_restart(Store& store, const Original& original, std::int64_t local) {
  JsonSink out;
  auto stream = store.restore(out);
  REQUIRE(stream->resume_offset() == local);
  stream->catch_up_silently(original.committed.next_offset, original.committed.metadata);
  for (int i = static_cast<int>(local); i < 8; ++i) {
    CHECK_FALSE(stream->emits_at(i));
    stream->apply(event(i).view(), i);
  }
  CHECK(stream->group_commit()->next_offset == 8);  // never behind what was committed
  CHECK(out.lines.empty());
  for (int i = 8; i < 10; ++i) {
    CHECK(stream->emits_at(i));
    stream->apply(event(i).view(), i);
  }
  CHECK(out.lines == original.emitted_after);
  CHECK(stream->checkpoint() == original.final_checkpoint);
}

TEST_CASE("a crash after a transaction that began with an idle advance is caught up exactly",
          "[state]") {
  Store store;
  const Original original = run_original(store, 6, true);
  CHECK(original.committed.next_offset == 8);
  CHECK(original.committed.metadata == GroupOffsetMetadata{6, kIdleClock, kIdleClock});
  REQUIRE_FALSE(original.emitted_after.empty());
  check_restart(store, original, 6);
}

TEST_CASE("a stream several commits behind catches up without output", "[state]") {
  Store store;
  const Original original = run_original(store, 3, false);
  check_restart(store, original, 3);
}

TEST_CASE("a stream not behind the committed offset only takes the committed clock", "[state]") {
  Store store;
  JsonSink out;
  auto stream = store.restore(out);
  for (int i = 0; i < 8; ++i) stream->apply(event(i).view(), i);
  REQUIRE(stream->stage().is_ok());
  REQUIRE(stream->write(std::nullopt).is_ok());
  const std::size_t emitted = out.lines.size();
  // The transaction after the local write only held an idle advance (no input).
  stream->catch_up_silently(8, {8, kIdleClock, kIdleClock});
  CHECK(out.lines.size() == emitted);  // the dormant transitions were committed already
  CHECK(stream->checkpoint().clock.clock == kIdleClock);
  CHECK(stream->emits_at(8));
}

}  // namespace
}  // namespace segmentd
