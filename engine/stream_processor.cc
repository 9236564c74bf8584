#include "engine/stream_processor.h"

#include "engine/event_time.h"
#include "engine/families/window.h"

namespace segmentd {

StreamProcessor::StreamProcessor(const EngineOptions& options, MemberTable& members,
                                 TimerIndex& timers, TransitionSink& sink,
                                 const ProcessorCheckpoint& start, ActionSink* actions)
    : options_(options),
      members_(members),
      timers_(timers),
      sink_(sink),
      actions_(actions),
      state_(start),
      families_(options),
      planner_(options),
      sweep_(options, families_, members) {
  state_.utc_offset = options.utc_offset;
}

void StreamProcessor::apply(const PurchaseEvent& event) {
  const std::string_view id = event.member_id;
  StreamClock& clock = state_.clock;
  StreamStats& stats = state_.stats;
  if (clock.started && event.ts < clock.clock) ++stats.events_late;

  MemberState* member = &members_.load(id);
  if (member->recent_events.contains(event.event_id)) {
    ++stats.events_duplicate;
    set_clock(event.ts - options_.allowed_lateness);
    clock.max_event_ts = max(clock.max_event_ts, event.ts);
    return;
  }
  fire_own_timers(id, *member, clock.started ? max(event.ts, clock.clock) : event.ts);
  member->known = true;
  count_member(*member);
  const std::uint32_t purchases_before = member->figures.purchases;
  bool newer_profile = false;
  if (event.type == EventType::profile) apply_profile(*member, event, newer_profile);
  const std::int32_t day = calendar_day(event.ts, options_.utc_offset);
  add_to_figures(member->figures, event, day);
  if (event.type != EventType::profile && families_.any_ranked()) {
    if (event.type == EventType::purchase) {
      const EpochMs now = clock.started ? clock.clock : event.ts - options_.allowed_lateness;
      DailySweep::note_purchase(*member, event.ts, first_midnight_after(now));
    }
    sweep_.touch(id, *member, day);
  }
  member->recent_events.add(event.event_id, options_.dedupe_window);
  ++stats.events_applied;
  members_.mark_changed();

  const bool started = clock.started;
  set_clock(event.ts - options_.allowed_lateness);
  if (!started) clock.max_event_ts = event.ts;
  clock.max_event_ts = max(clock.max_event_ts, event.ts);
  member = &members_.load(id);
  EpochMs at = max(event.ts, clock.clock);
  if (member->figures.purchases > 0) at = max(at, member->figures.last_purchase);
  evaluate(id, *member, at, TransitionCause::event, event.event_id);
  if (planner_.any()) planner_.plan(*member, event, purchases_before, newer_profile, at);
  reschedule(id, *member, at);
  members_.mark_changed();
}

void StreamProcessor::apply_profile(MemberState& member, const PurchaseEvent& event, bool& newer) {
  newer = !member.figures.has_profile || event.ts >= member.profile_ts;
  if (!newer) return;
  member.profile_ts = event.ts;
  member.birthday.assign(event.birthday);
}

void StreamProcessor::advance_clock_to(EpochMs target) { set_clock(target); }

EpochMs StreamProcessor::first_midnight_after(EpochMs t) const {
  return day_start(calendar_day(t, options_.utc_offset) + 1, options_.utc_offset);
}

// Moves the clock to `target` if later: timers due by each midnight passed, then that
// midnight's sweep (SPEC 5.6), then the timers due by `target`.
void StreamProcessor::set_clock(EpochMs target) {
  StreamClock& clock = state_.clock;
  if (!clock.started) {
    clock.started = true;
    clock.clock = target;
    fire_due_timers(target);
    return;
  }
  if (target <= clock.clock) return;
  const EpochMs old = clock.clock;
  clock.clock = target;
  if (families_.any_ranked()) {
    for (EpochMs s = first_midnight_after(old); s <= target; s = first_midnight_after(s)) {
      fire_due_timers(s);
      ++state_.stats.sweeps;
      sweep_.run(s,
                 [&](std::string_view id, MemberState& member, FamilyId family, std::uint8_t to) {
                   change_label(id, member, family, to, s, TransitionCause::sweep, {});
                   members_.mark_changed();
                 });
    }
  }
  fire_due_timers(target);
}

bool StreamProcessor::fire_due_timers(EpochMs limit) {
  bool fired = false;
  while (auto entry = timers_.pop_due(limit)) {
    prefetch_timer_members();
    MemberState& member = members_.load(entry->member_id);
    member.timer.reset();
    fire_timer(entry->member_id, member, entry->due);
    members_.mark_changed();
    fired = true;
  }
  return fired;
}

// The members of the next timers to fire, asked of memory a few timers ahead
// (MemberTable::prefetch): at a million members their states are rarely in the caches.
void StreamProcessor::prefetch_timer_members() {
  timers_.prefetch_upcoming(8);
  members_.prefetch(timers_.upcoming_member(4), 0);
  members_.prefetch(timers_.upcoming_member(2), 1);
  members_.prefetch(timers_.upcoming_member(0), 2);
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
  while (auto action = planner_.take_due(member, due)) emit_action(member_id, member, *action);
  reschedule(member_id, member, due);
}

void StreamProcessor::evaluate(std::string_view member_id, MemberState& member, EpochMs at,
                               TransitionCause cause, std::string_view event_id) {
  for (FamilyId f : kAllFamilies) {
    if (!families_.time_driven(f)) continue;
    const std::uint8_t to = families_.label_at(f, member.figures, at);
    if (to != member.label(f)) change_label(member_id, member, f, to, at, cause, event_id);
  }
}

void StreamProcessor::reschedule(std::string_view member_id, MemberState& member, EpochMs after) {
  std::optional<EpochMs> next = families_.next_change(member.figures, after);
  const std::optional<EpochMs> action = ActionPlanner::next_due(member);
  if (action && (!next || *action < *next)) next = action;
  timers_.move(member_id, member.timer, next);
  member.timer = next;
}

// Counts the member in its current label of every enabled family it is not counted in
// yet (a family enabled on existing state counts members from their next event).
void StreamProcessor::count_member(MemberState& member) {
  for (FamilyId f : kAllFamilies) {
    const auto bit = static_cast<std::uint8_t>(1U << static_cast<unsigned>(f));
    if (!families_.enabled(f) || (member.counted_families & bit) != 0) continue;
    member.counted_families = static_cast<std::uint8_t>(member.counted_families | bit);
    ++state_.stats.family(f).members[member.label(f)];
  }
}

void StreamProcessor::change_label(std::string_view member_id, MemberState& member, FamilyId family,
                                   std::uint8_t to, EpochMs at, TransitionCause cause,
                                   std::string_view event_id) {
  count_member(member);
  const std::uint8_t from = member.label(family);
  StreamStats& stats = state_.stats;
  FamilyCounts& counts = stats.family(family);
  ++counts.transitions[std::size_t{from} * kMaxFamilyLabels + to];
  // A change to the label the member already has is a bug upstream (a rule or the
  // sweep): counted on the diagonal (segmentd_transitions_impossible_total), never emitted.
  if (from == to) return;
  member.label(family) = to;
  ++member.seq;
  ++stats.transitions;
  --counts.members[from];
  ++counts.members[to];
  const auto labels = family_labels(family);
  const MemberFigures& f = member.figures;
  sink_.emit(Transition{
      member_id, family_name(family), labels[from], labels[to], at, cause, event_id, member.seq,
      TransitionSnapshot{f.purchases, f.first_purchase, f.last_purchase, f.net_total}});
}

void StreamProcessor::emit_action(std::string_view member_id, MemberState& member,
                                  const PendingAction& action) {
  ++member.actions_emitted;
  ++state_.stats.actions;
  if (actions_ == nullptr) return;
  actions_->emit(MemberAction{member_id, action.kind, member.actions_emitted, action.due,
                              action.step, member.figures.purchases, action.category,
                              action.expected, member.birthday});
}

}  // namespace segmentd
