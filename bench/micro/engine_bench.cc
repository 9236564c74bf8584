// The engine: one event applied by the StreamProcessor to members held in memory (member
// lookup, figures, rules, timers, transitions to a counting sink), the dedupe ring (is an
// event id among a member's last 32?), and the timer index (moving a member's timer among N
// pending ones; firing due timers; the heap it takes per pending timer).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "bench/micro/bench_data.h"
#include "engine/stream_processor.h"

namespace segmentd::bench {
namespace {

class MemoryTable final : public MemberTable {
 public:
  MemberState& load(std::string_view id) override {
    auto it = members_.find(std::string(id));
    if (it == members_.end()) it = members_.emplace(std::string(id), MemberState{}).first;
    return it->second;
  }
  void mark_changed() override {}
  std::vector<std::string> member_ids() override { return {}; }

 private:
  std::unordered_map<std::string, MemberState> members_;
};

class CountingSink final : public TransitionSink {
 public:
  void emit(const Transition& t) override { count += t.seq; }
  std::uint64_t count = 0;
};

// Arg: members. Events go to members in a fixed pseudo-random order, in time order.
void BM_ApplyEvent(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string> ids = member_ids(members);
  EngineOptions options;
  MemoryTable table;
  TimerIndex timers;
  CountingSink sink;
  StreamProcessor processor(options, table, timers, sink);
  PurchaseEvent event;
  char event_id[24];
  std::uint64_t n = 0;
  for (auto _ : state) {
    ++n;
    const auto end = std::to_chars(event_id, event_id + sizeof event_id, n).ptr;
    event.event_id = std::string_view(event_id, static_cast<std::size_t>(end - event_id));
    event.member_id = ids[(n * 2'654'435'761u) % members];
    event.ts = EpochMs{1'672'531'722'030 + static_cast<std::int64_t>(n) * 5'000};
    event.amount = Money{12'340 + static_cast<std::int64_t>(n % 1000)};
    processor.apply(event);
  }
  benchmark::DoNotOptimize(sink.count);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyEvent)->Arg(10'000)->Arg(1'000'000);

// A full ring of dedupe.window (32) ids, asked for an id it does not hold (the common case:
// most events are not duplicates). Arg 0: the generator's short ids ("e40b-17"); arg 1:
// UUIDs, which share their length.
void BM_DedupeContains(benchmark::State& state) {
  const bool uuids = state.range(0) == 1;
  auto id_of = [&](std::uint64_t n) {
    char text[40];
    const int length = uuids ? std::snprintf(text, sizeof text, "%08llx-4b1e-4c2a-9f3d-%012llx",
                                             static_cast<unsigned long long>(n * 2'654'435'761u),
                                             static_cast<unsigned long long>(n))
                             : std::snprintf(text, sizeof text, "e%llx-%llu",
                                             static_cast<unsigned long long>(n / 7),
                                             static_cast<unsigned long long>(n % 7));
    return std::string(text, static_cast<std::size_t>(length));
  };
  RecentEventIds ring;
  for (std::uint64_t n = 0; n < 32; ++n) ring.add(id_of(n), 32);
  const std::string missing = id_of(1000);
  for (auto _ : state) benchmark::DoNotOptimize(ring.contains(missing));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DedupeContains)->Arg(0)->Arg(1);

// Arg: pending timers. Each iteration moves one member's timer later (what an event does).
void BM_TimerMove(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string> ids = member_ids(members);
  std::vector<EpochMs> due(members);
  TimerIndex timers;
  for (std::size_t i = 0; i < members; ++i) {
    due[i] = EpochMs{1'680'000'000'000 + static_cast<std::int64_t>((i * 7'919) % members) * 1'000};
    timers.add(due[i], ids[i]);
  }
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::size_t k = (++n * 2'654'435'761u) % members;
    const EpochMs to{due[k].ms + 86'400'000};
    timers.move(ids[k], due[k], to);
    due[k] = to;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerMove)->Arg(100'000)->Arg(1'000'000);

// Each iteration adds a timer and fires the earliest one (a steady number pending).
void BM_TimerFire(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string> ids = member_ids(members);
  TimerIndex timers;
  std::int64_t t = 1'680'000'000'000;
  for (std::size_t i = 0; i < members; ++i)
    timers.add(EpochMs{t + static_cast<std::int64_t>(i)}, ids[i]);
  std::uint64_t n = 0;
  for (auto _ : state) {
    auto fired = timers.pop_due(EpochMs{t + static_cast<std::int64_t>(n)});
    benchmark::DoNotOptimize(fired);
    timers.add(EpochMs{t + static_cast<std::int64_t>(members + n)}, ids[n % members]);
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerFire)->Arg(100'000);

// Arg: pending timers. The heap the index takes per pending timer (glibc's mallinfo2: this
// program does not link jemalloc), as counters: `bytes_per_timer` once each member has a
// timer, `bytes_per_timer_moved` once each has been moved once more (an event's work: the
// earlier bucket entry stays, stale). The index is not bounded by state.cache_size: at
// millions of members it and replay's stored-id set are what grows with them
// (docs/PERFORMANCE.md, "Issue 10's figures measured again"). The time per iteration is
// that of building it.
void BM_TimerIndexBytes(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string> ids = member_ids(members);
  auto due_of = [members](std::size_t i) {
    return EpochMs{1'680'000'000'000 + static_cast<std::int64_t>((i * 7'919) % members) * 60'000};
  };
  double added = 0;
  double moved = 0;
  for (auto _ : state) {
    const std::size_t before = mallinfo2().uordblks;
    TimerIndex timers;
    for (std::size_t i = 0; i < members; ++i) timers.add(due_of(i), ids[i]);
    added = static_cast<double>(mallinfo2().uordblks - before);
    for (std::size_t i = 0; i < members; ++i) {
      timers.move(ids[i], due_of(i), EpochMs{due_of(i).ms + 30 * 86'400'000LL});
    }
    moved = static_cast<double>(mallinfo2().uordblks - before);
    benchmark::DoNotOptimize(timers.size());
  }
  state.counters["bytes_per_timer"] = added / static_cast<double>(members);
  state.counters["bytes_per_timer_moved"] = moved / static_cast<double>(members);
}
BENCHMARK(BM_TimerIndexBytes)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segmentd::bench
