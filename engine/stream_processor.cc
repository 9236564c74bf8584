#include "engine/stream_processor.h"

#include "engine/event_time.h"

namespace segmentd {

namespace {
constexpr std::string_view kLifecycleFamily = "lifecycle";

std::size_t index_of(LifecycleLabel label) { return static_cast<std::size_t>(label); }
}  // namespace

StreamProcessor::StreamProcessor(const EngineOptions& options, MemberTable& members,
                                 TimerIndex& timers, TransitionSink& sink,
                                 const ProcessorCheckpoint& start)
    : options_(options), members_(members), timers_(timers), sink_(sink), state_(start) {}

void StreamProcessor::apply(const PurchaseEvent& event) {
  const std::string_view id = event.member_id;
  StreamClock& clock = state_.clock;
  StreamStats& stats = state_.stats;
  if (clock.started && event.ts < clock.clock) ++stats.events_late;

  MemberState* member = &members_.load(id);
  if (member->recent_events.contains(event.event_id)) {
    ++stats.events_duplicate;
    advance_clock(event.ts);
    return;
  }
  fire_own_timers(id, *member, clock.started ? max(event.ts, clock.clock) : event.ts);
  if (!member->known) {
    member->known = true;
    ++stats.members_per_lifecycle[index_of(LifecycleLabel::none)];
  }
  add_to_figures(member->figures, event, calendar_day(event.ts, options_.utc_offset));
  member->recent_events.add(event.event_id, options_.dedupe_window);
  ++stats.events_applied;
  members_.mark_changed();

  if (advance_clock(event.ts)) member = &members_.load(id);
  EpochMs at = max(event.ts, clock.clock);
  if (member->figures.purchases > 0) at = max(at, member->figures.last_purchase);
  evaluate(id, *member, at, TransitionCause::event, event.event_id);
  reschedule(id, *member, at);
  members_.mark_changed();
}

void StreamProcessor::advance_clock_to(EpochMs target) {
  StreamClock& clock = state_.clock;
  if (clock.started && target <= clock.clock) return;
  clock.started = true;
  clock.clock = target;
  fire_due_timers();
}

bool StreamProcessor::advance_clock(EpochMs event_ts) {
  StreamClock& clock = state_.clock;
  const EpochMs candidate = event_ts - options_.allowed_lateness;
  if (!clock.started) {
    clock = StreamClock{true, candidate, event_ts};
  } else {
    clock.max_event_ts = max(clock.max_event_ts, event_ts);
    if (candidate <= clock.clock) return false;
    clock.clock = candidate;
  }
  return fire_due_timers();
}

bool StreamProcessor::fire_due_timers() {
  bool fired = false;
  while (auto entry = timers_.pop_due(state_.clock.clock)) {
    MemberState& member = members_.load(entry->member_id);
    member.timer.reset();
    fire_timer(entry->member_id, member, entry->due);
    members_.mark_changed();
    fired = true;
  }
  return fired;
}

void StreamProcessor::fire_own_timers(std::string_view member_id, MemberState& member,
                                      EpochMs limit) {
  while (member.timer && *member.timer <= limit) {
    const EpochMs due = *member.timer;
    timers_.remove(due, member_id);
    member.timer.reset();
    fire_timer(member_id, member, due);
  }
}

void StreamProcessor::fire_timer(std::string_view member_id, MemberState& member, EpochMs due) {
  ++state_.stats.timers_fired;
  evaluate(member_id, member, due, TransitionCause::timer, {});
  reschedule(member_id, member, due);
}

void StreamProcessor::evaluate(std::string_view member_id, MemberState& member, EpochMs at,
                               TransitionCause cause, std::string_view event_id) {
  const auto from = static_cast<LifecycleLabel>(member.lifecycle);
  const LifecycleLabel to = lifecycle_label(member.figures, at, options_.lifecycle);
  if (to == from) return;
  member.lifecycle = static_cast<std::uint8_t>(to);
  ++member.seq;
  emit(member_id, member, from, to, at, cause, event_id);
}

void StreamProcessor::reschedule(std::string_view member_id, MemberState& member,
                                 EpochMs after) {
  const auto next = lifecycle_next_change(member.figures, after, options_.lifecycle);
  timers_.move(member_id, member.timer, next);
  member.timer = next;
}

void StreamProcessor::emit(std::string_view member_id, const MemberState& member,
                           LifecycleLabel from, LifecycleLabel to, EpochMs at,
                           TransitionCause cause, std::string_view event_id) {
  StreamStats& stats = state_.stats;
  ++stats.transitions;
  ++stats.lifecycle_transitions[index_of(from)][index_of(to)];
  --stats.members_per_lifecycle[index_of(from)];
  ++stats.members_per_lifecycle[index_of(to)];
  const MemberFigures& f = member.figures;
  sink_.emit(Transition{member_id, kLifecycleFamily, label_name(from), label_name(to), at, cause,
                        event_id, member.seq,
                        TransitionSnapshot{f.purchases, f.first_purchase, f.last_purchase,
                                           f.net_total}});
}

}  // namespace segmentd
