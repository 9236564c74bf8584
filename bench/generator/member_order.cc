#include <utility>
#include <vector>

#include "bench/generator/faults.h"
#include "bench/generator/stream_orders.h"

namespace segmentd::gen {
namespace {

enum class LineKind { broken, event, duplicate };

// Decides what each output line is. Replaying a plan built from the same options
// gives the same sequence, so it can be counted first and followed afterwards.
class LinePlan {
 public:
  explicit LinePlan(const GeneratorOptions& options) : faults_(options) {}

  LineKind next() {
    if (faults_.broken_line()) return LineKind::broken;
    if (duplicate_pending_) {
      duplicate_pending_ = false;
      return LineKind::duplicate;
    }
    duplicate_pending_ = faults_.duplicate();
    return LineKind::event;
  }

 private:
  FaultModel faults_;
  bool duplicate_pending_ = false;
};

std::uint64_t count_event_lines(const GeneratorOptions& options) {
  LinePlan plan(options);
  std::uint64_t events = 0;
  for (std::uint64_t line = 0; line < options.events; ++line) {
    if (plan.next() == LineKind::event) ++events;
  }
  return events;
}

// How many of the first `events` events (in time order) each member has. Leaves
// the population restarted.
std::vector<std::uint32_t> events_per_member(Population& population, std::uint64_t events) {
  std::vector<std::uint32_t> counts(population.size(), 0);
  TimeQueue queue = population.make_queue();
  for (std::uint64_t i = 0; i < events; ++i) ++counts[population.take_next(queue).member];
  population.restart();
  return counts;
}

// Yields each member's first counts[member] events, member after member.
class MemberWalk {
 public:
  MemberWalk(Population& population, std::vector<std::uint32_t> counts)
      : population_(population), counts_(std::move(counts)) {}

  // Requires that events remain.
  MemberEvent next() {
    while (counts_[member_] == 0) ++member_;
    --counts_[member_];
    const MemberEvent event = population_.upcoming(member_);
    population_.advance(member_);
    return event;
  }

 private:
  Population& population_;
  std::vector<std::uint32_t> counts_;  // events still to yield, per member
  std::uint32_t member_ = 0;
};

}  // namespace

void write_member_order(const GeneratorOptions& options, Population& population, Emitter& emitter) {
  MemberWalk walk(population, events_per_member(population, count_event_lines(options)));
  LinePlan plan(options);
  MemberEvent last{0, 0, population.period().start, EventKind::purchase};
  for (std::uint64_t n = 0; n < options.events; ++n) {
    switch (plan.next()) {
      case LineKind::broken:
        emitter.broken_line(last.ts);
        break;
      case LineKind::event:
        last = walk.next();
        emitter.event_line(last, Delivery::on_time);
        break;
      case LineKind::duplicate:
        emitter.event_line(last, Delivery::duplicate);
        break;
    }
  }
}

}  // namespace segmentd::gen
