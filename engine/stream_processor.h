// The engine for one input stream (SPEC 4 and 5): applies accepted events to member
// state in arrival order, keeps the stream's clock, fires member timers and emits
// every lifecycle transition to a sink.
//
// Deterministic: the same events in the same order, from the same checkpoint, give
// the same transitions in the same order. It never reads the wall clock; callers move
// time with apply() (event time) or advance_clock_to() (end of input, idle advance).
//
// Not thread-safe: one processor per stream, driven by one thread. Members, timers and
// sink are borrowed and must outlive the processor.
#pragma once

#include <optional>
#include <string_view>

#include "engine/engine_options.h"
#include "engine/member_table.h"
#include "engine/purchase_event.h"
#include "engine/stream_stats.h"
#include "engine/timer_index.h"
#include "engine/transition.h"

namespace segmentd {

class StreamProcessor {
 public:
  StreamProcessor(const EngineOptions& options, MemberTable& members, TimerIndex& timers,
                  TransitionSink& sink, const ProcessorCheckpoint& start = {});

  // Applies one accepted event (SPEC 5.2), firing whatever timers it makes due.
  void apply(const PurchaseEvent& event);

  // Moves the clock to `target` if that is later, firing every timer due by then.
  void advance_clock_to(EpochMs target);

  // The stream's clock and counters, as a checkpoint would persist them.
  const ProcessorCheckpoint& checkpoint() const { return state_; }

 private:
  bool advance_clock(EpochMs candidate);
  bool fire_due_timers();
  void fire_own_timers(std::string_view member_id, MemberState& member, EpochMs limit);
  void fire_timer(std::string_view member_id, MemberState& member, EpochMs due);
  void evaluate(std::string_view member_id, MemberState& member, EpochMs at,
                TransitionCause cause, std::string_view event_id);
  void reschedule(std::string_view member_id, MemberState& member, EpochMs after);
  void emit(std::string_view member_id, const MemberState& member, LifecycleLabel from,
            LifecycleLabel to, EpochMs at, TransitionCause cause, std::string_view event_id);

  const EngineOptions& options_;
  MemberTable& members_;
  TimerIndex& timers_;
  TransitionSink& sink_;
  ProcessorCheckpoint state_;
};

}  // namespace segmentd
