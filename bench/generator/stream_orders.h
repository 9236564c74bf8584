// The two line orders of segmentd-gen. Both decide exactly `options.events` lines
// through the emitter and leave the population's cursors consumed.
//
// write_time_order: lines in delivery order. Member events come from a calendar
//   queue in (ts, member) order; a late event is held back and delivered at
//   ts + lateness; a delivered line is, with the duplicate rate, delivered again a
//   little later; a broken line may come at any position (ts = the delivery clock).
//   Memory: O(members) plus the events in flight (late or duplicated, not yet due).
//
// write_member_order: lines grouped by member (ascending), each member's events in
//   time order, as a CRM history export. The events are the first E member events
//   by (ts, member), where E is the number of event slots the line plan leaves
//   after broken lines and duplicates (a duplicate follows its original directly or
//   after broken lines). No late events. Costs one extra pass over the member
//   timelines (without rendering) and 4 bytes per member.
//
// Throws std::runtime_error if the members run out of events before the horizon.
#pragma once

#include "bench/generator/emitter.h"
#include "bench/generator/options.h"
#include "bench/generator/population.h"

namespace segmentd::gen {

void write_time_order(const GeneratorOptions& options, Population& population, Emitter& emitter);

void write_member_order(const GeneratorOptions& options, Population& population, Emitter& emitter);

}  // namespace segmentd::gen
