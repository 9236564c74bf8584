// The engine for one input stream (SPEC 4 and 5): applies accepted events to member
// state in arrival order, keeps the stream's clock, fires member timers, runs the daily
// sweep of the ranked families at each midnight the clock passes, and emits every
// transition of the enabled families and every member action to its sinks.
//
// Deterministic: the same events in the same order, from the same checkpoint, give
// the same transitions and actions in the same order. It never reads the wall clock;
// callers move time with apply() (event time) or advance_clock_to() (end of input, idle
// advance).
//
// Not thread-safe: one processor per stream, driven by one thread. Members, timers and
// sinks are borrowed and must outlive the processor.
#pragma once

#include <optional>
#include <string_view>

#include "engine/action_planner.h"
#include "engine/daily_sweep.h"
#include "engine/engine_options.h"
#include "engine/family_set.h"
#include "engine/member_action.h"
#include "engine/member_table.h"
#include "engine/purchase_event.h"
#include "engine/stream_stats.h"
#include "engine/timer_index.h"
#include "engine/transition.h"

namespace segmentd {

class StreamProcessor {
 public:
  // `actions` may be null when no action is enabled.
  StreamProcessor(const EngineOptions& options, MemberTable& members, TimerIndex& timers,
                  TransitionSink& sink, const ProcessorCheckpoint& start = {},
                  ActionSink* actions = nullptr);

  // Applies one accepted event (SPEC 5.2), firing whatever timers it makes due.
  void apply(const PurchaseEvent& event);

  // Moves the clock to `target` if that is later, firing every timer due by then.
  void advance_clock_to(EpochMs target);

  // The stream's clock and counters, as a checkpoint would persist them.
  const ProcessorCheckpoint& checkpoint() const { return state_; }

 private:
  void set_clock(EpochMs target);
  bool fire_due_timers(EpochMs limit);
  void prefetch_timer_members();
  void fire_own_timers(std::string_view member_id, MemberState& member, EpochMs limit);
  void fire_timer(std::string_view member_id, MemberState& member, EpochMs due);
  void evaluate(std::string_view member_id, MemberState& member, EpochMs at, TransitionCause cause,
                std::string_view event_id);
  void reschedule(std::string_view member_id, MemberState& member, EpochMs after);
  void change_label(std::string_view member_id, MemberState& member, FamilyId family,
                    std::uint8_t to, EpochMs at, TransitionCause cause, std::string_view event_id);
  void count_member(MemberState& member);
  void emit_action(std::string_view member_id, MemberState& member, const PendingAction& action);
  void apply_profile(MemberState& member, const PurchaseEvent& event, bool& newer);
  EpochMs first_midnight_after(EpochMs t) const;

  const EngineOptions& options_;
  MemberTable& members_;
  TimerIndex& timers_;
  TransitionSink& sink_;
  ActionSink* actions_;
  ProcessorCheckpoint state_;
  FamilySet families_;
  ActionPlanner planner_;
  DailySweep sweep_;
};

}  // namespace segmentd
