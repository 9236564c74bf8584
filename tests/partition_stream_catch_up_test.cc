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

// Event i: member m-(i % 3), every other day from 2024-01-01; events 8 and 9 come after
// the idle advance to day 114 that makes every member dormant.
Event event(int i) {
  const std::int64_t day = i < 8 ? 2 * i : 112 + 2 * i;
  return {"e-" + std::to_string(i), "m-" + std::to_string(i % 3), kJan1 + day * kDay};
}

TEST_CASE("a stream behind the committed transaction catches up without output", "[state]") {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  const EngineOptions options;
  constexpr std::int32_t kPartition = 1;
  const EpochMs idle_clock{kJan1 + 114 * kDay};

  // The stream that made the transaction: commits locally after event 5, then events 6
  // and 7 and an idle advance go into the Kafka transaction (offset 8, idle_clock), and
  // the process dies before the local write. What it would have emitted next is the
  // reference.
  JsonSink before;
  std::unique_ptr<PartitionStream> original;
  REQUIRE(PartitionStream::restore(*store, kPartition, options, 1 << 20, before, nullptr, original)
              .is_ok());
  for (int i = 0; i < 6; ++i) original->apply(event(i).view(), i);
  REQUIRE(original->commit().is_ok());
  for (int i = 6; i < 8; ++i) original->apply(event(i).view(), i);
  original->advance_clock_to(idle_clock);
  const auto committed = original->group_commit();
  REQUIRE(committed);
  CHECK(committed->next_offset == 8);
  CHECK(committed->clock == idle_clock);
  const std::size_t emitted_by_transaction = before.lines.size();
  for (int i = 8; i < 10; ++i) original->apply(event(i).view(), i);
  const std::vector<std::string> after_transaction(
      before.lines.begin() + static_cast<std::ptrdiff_t>(emitted_by_transaction),
      before.lines.end());
  REQUIRE_FALSE(after_transaction.empty());

  // The restart: local state at offset 6; the group says 8 with idle_clock.
  JsonSink restarted_out;
  std::unique_ptr<PartitionStream> restarted;
  REQUIRE(PartitionStream::restore(*store, kPartition, options, 1 << 20, restarted_out, nullptr,
                                   restarted)
              .is_ok());
  REQUIRE(restarted->resume_offset() == 6);
  restarted->catch_up_silently(committed->next_offset, committed->clock);
  for (int i = 6; i < 8; ++i) {
    CHECK_FALSE(restarted->emits_at(i));
    restarted->apply(event(i).view(), i);
  }
  CHECK(restarted->group_commit()->next_offset == 8);  // not behind what was committed
  CHECK(restarted_out.lines.empty());
  for (int i = 8; i < 10; ++i) {
    CHECK(restarted->emits_at(i));
    restarted->apply(event(i).view(), i);
  }
  CHECK(restarted_out.lines == after_transaction);
  CHECK(restarted->checkpoint() == original->checkpoint());
}

TEST_CASE("a stream not behind the committed offset only takes the committed clock", "[state]") {
  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  const EngineOptions options;
  JsonSink out;
  std::unique_ptr<PartitionStream> stream;
  REQUIRE(PartitionStream::restore(*store, 0, options, 1 << 20, out, nullptr, stream).is_ok());
  for (int i = 0; i < 8; ++i) stream->apply(event(i).view(), i);
  REQUIRE(stream->commit().is_ok());
  const std::size_t emitted = out.lines.size();
  // The transaction after the local write only held an idle advance (no input).
  stream->catch_up_silently(8, EpochMs{kJan1 + 114 * kDay});
  CHECK(out.lines.size() == emitted);  // the dormant transitions were committed already
  CHECK(stream->checkpoint().clock.clock == EpochMs{kJan1 + 114 * kDay});
  CHECK(stream->emits_at(8));
}

}  // namespace
}  // namespace segmentd
