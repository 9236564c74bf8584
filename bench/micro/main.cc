// segmentd-micro-bench: Google Benchmark micro benchmarks of the replay's hot pieces,
// one figure each: the event parser and money parsing (parse_bench.cc), the per-event
// apply and the timer index (engine_bench.cc), the member codec (codec_bench.cc) and
// the transition writer (output_bench.cc). Not a test: run it by hand, e.g.
//   build/bench/segmentd-micro-bench --benchmark_min_time=0.2
// and compare figures of two builds on the same (quiet) machine. Benchmarks measure CPU
// time per operation (Google Benchmark's default) so a shared machine skews them less.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
