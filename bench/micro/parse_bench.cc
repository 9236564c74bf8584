// Parsing: one event line (EventParser, simdjson) and one amount (parse_decimal_money).
#include <benchmark/benchmark.h>

#include "bench/micro/bench_data.h"
#include "connectors/event_parser.h"
#include "engine/money.h"

namespace segmentd::bench {
namespace {

void BM_ParseEventLine(benchmark::State& state) {
  const std::vector<std::string> lines = event_lines(4096, 100'000);
  EventParser parser(64 * 1024);
  PurchaseEvent event;
  Rejection rejection;
  std::size_t i = 0;
  for (auto _ : state) {
    const bool ok = parser.parse(lines[i++ & 4095], event, rejection);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(event.amount);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseEventLine);

void BM_ParseMoney(benchmark::State& state) {
  const std::vector<std::string> amounts = {"64.47", "13.20", "1000",
                                            "0.005", "1.5e2", "99999.999"};
  std::size_t i = 0;
  for (auto _ : state) {
    const MoneyParseResult r = parse_decimal_money(amounts[i++ % amounts.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseMoney);

void BM_FormatMoney(benchmark::State& state) {
  std::string out;
  std::int64_t v = 64'470;
  for (auto _ : state) {
    out.clear();
    append_money(out, Money{v++});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatMoney);

}  // namespace
}  // namespace segmentd::bench
