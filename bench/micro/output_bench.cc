// The transition writer: one transition as its JSON output line.
#include <benchmark/benchmark.h>

#include "connectors/transition_json.h"

namespace segmentd::bench {
namespace {

void BM_TransitionJson(benchmark::State& state) {
  Transition t;
  t.member_id = "m-157293";
  t.family = "lifecycle";
  t.from = "new";
  t.to = "active";
  t.effective_ts = EpochMs{1'672'531'722'030};
  t.event_id = "e3dd8-0";
  t.seq = 2;
  t.snapshot = {2, EpochMs{1'672'000'000'000}, EpochMs{1'672'531'722'030}, Money{77'670}};
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_transition_json(out, t);
    benchmark::DoNotOptimize(out.data());
    ++t.seq;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_TransitionJson);

}  // namespace
}  // namespace segmentd::bench
