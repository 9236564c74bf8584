#include <algorithm>
#include <vector>

#include "bench/generator/faults.h"
#include "bench/generator/stream_orders.h"

namespace segmentd::gen {
namespace {

// A line held back until its delivery time: a late event or a duplicate.
struct HeldLine {
  EpochMs deliver_at;
  std::uint64_t sequence;  // tie-break: first held, first delivered
  MemberEvent event;
  Delivery delivery;
};

bool delivered_later(const HeldLine& a, const HeldLine& b) {
  return a.deliver_at != b.deliver_at ? a.deliver_at > b.deliver_at : a.sequence > b.sequence;
}

class TimeOrderStream {
 public:
  TimeOrderStream(const GeneratorOptions& options, Population& population, Emitter& emitter)
      : population_(population),
        emitter_(emitter),
        faults_(options),
        queue_(population.make_queue()),
        clock_(population.period().start) {}

  void run(std::uint64_t lines) {
    while (emitter_.lines() < lines) {
      if (faults_.broken_line()) {
        emitter_.broken_line(clock_);
      } else {
        deliver_next();
      }
    }
  }

 private:
  // Delivers the next member event line: the earliest of the held lines and the
  // members' upcoming events (held back instead when it turns out late).
  void deliver_next() {
    for (;;) {
      if (!held_.empty() && (queue_.empty() || held_.front().deliver_at <= queue_.top().ts)) {
        deliver_held();
        return;
      }
      const MemberEvent event = population_.take_next(queue_);
      if (faults_.late()) {
        hold(event.ts + faults_.lateness(), event, Delivery::late);
        continue;
      }
      deliver(event, Delivery::on_time, event.ts);
      return;
    }
  }

  void deliver(const MemberEvent& event, Delivery delivery, EpochMs at) {
    emitter_.event_line(event, delivery);
    clock_ = std::max(clock_, at);
    if (delivery != Delivery::duplicate && faults_.duplicate()) {
      hold(at + faults_.duplicate_delay(), event, Delivery::duplicate);
    }
  }

  void deliver_held() {
    std::pop_heap(held_.begin(), held_.end(), delivered_later);
    const HeldLine held = held_.back();
    held_.pop_back();
    deliver(held.event, held.delivery, held.deliver_at);
  }

  void hold(EpochMs at, const MemberEvent& event, Delivery delivery) {
    held_.push_back({at, next_sequence_++, event, delivery});
    std::push_heap(held_.begin(), held_.end(), delivered_later);
  }

  Population& population_;
  Emitter& emitter_;
  FaultModel faults_;
  TimeQueue queue_;
  std::vector<HeldLine> held_;  // min-heap by delivery time
  std::uint64_t next_sequence_ = 0;
  EpochMs clock_;  // latest delivery time so far
};

}  // namespace

void write_time_order(const GeneratorOptions& options, Population& population, Emitter& emitter) {
  TimeOrderStream(options, population, emitter).run(options.events);
}

}  // namespace segmentd::gen
