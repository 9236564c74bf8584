#include "bench/generator/generator.h"

#include <algorithm>
#include <thread>

#include "bench/generator/emitter.h"
#include "bench/generator/line_renderer.h"
#include "bench/generator/parallel_renderer.h"
#include "bench/generator/population.h"
#include "bench/generator/stream_orders.h"

namespace segmentd::gen {
namespace {

constexpr unsigned kMaxAutoThreads = 8;

// Purchases the run is expected to consume: lines minus broken lines and
// duplicates, minus refunds.
double target_purchases(const GeneratorOptions& o) {
  const double event_lines =
      static_cast<double>(o.events) * (1.0 - o.broken_rate) / (1.0 + o.dup_rate);
  return event_lines * (1.0 - o.refund_rate);
}

unsigned render_threads(const GeneratorOptions& o) {
  if (o.threads != 0) return o.threads;
  return std::clamp(std::thread::hardware_concurrency(), 1u, kMaxAutoThreads);
}

}  // namespace

GenerationSummary generate(const GeneratorOptions& options, OutputFile& out, OutputFile* manifest) {
  Population population(options, target_purchases(options));
  const LineRenderer renderer(options.seed, population.store_count());
  ParallelRenderer lines(renderer, out, render_threads(options));
  Emitter emitter(options, population, lines, manifest);
  if (options.order == StreamOrder::time) {
    write_time_order(options, population, emitter);
  } else {
    write_member_order(options, population, emitter);
  }
  lines.finish();
  if (manifest != nullptr) manifest->flush();
  GenerationSummary summary = emitter.summary();
  summary.gap_scale = population.gap_scale();
  return summary;
}

}  // namespace segmentd::gen
