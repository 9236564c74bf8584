// The member population of one generator run: a profile per member drawn from the
// seed, the gap scale that makes the expected number of purchases span the period,
// and each member's cursor (its position in its own event sequence).
//
// The gap scale s solves  sum(fixed) + sum(gap_days_ratio) / s = target purchases
// (see expected_purchases); when even the scale-independent purchases exceed the
// target, the stream simply ends before the period does. Member 0 is always a
// never-stopping regular, so the members together never run out of events before
// the horizon (2099-01-01). Each member's cursor and profile share one 64-byte
// cache line: 72 bytes per member with the join time. Profiles never change after
// construction. Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/generator/member_profile.h"
#include "bench/generator/member_timeline.h"
#include "bench/generator/options.h"
#include "bench/generator/time_queue.h"

namespace segmentd::gen {

class Population {
 public:
  // `target_purchases`: how many purchases the run is expected to consume.
  Population(const GeneratorOptions& options, double target_purchases);

  std::uint32_t size() const { return static_cast<std::uint32_t>(members_.size()); }
  std::uint32_t store_count() const { return store_count_; }
  double gap_scale() const { return params_.gap_scale; }
  const Period& period() const { return period_; }
  const MemberProfile& profile(std::uint32_t member) const { return members_[member].profile; }

  // The member's upcoming event. Requires that the member has one.
  MemberEvent upcoming(std::uint32_t member) const;
  // Consumes the member's upcoming event.
  void advance(std::uint32_t member) {
    gen::advance(members_[member].cursor, members_[member].profile, params_);
  }
  // Puts every cursor back before its first event.
  void restart();

  // A queue holding every unfinished member's upcoming event, with slots sized for
  // the expected event density.
  TimeQueue make_queue() const;
  // Pops the earliest upcoming event of all members from `queue` (from
  // make_queue), consumes it and queues the member's next event. Throws
  // std::runtime_error when no member has an event left.
  MemberEvent take_next(TimeQueue& queue);

 private:
  struct alignas(64) Member {
    MemberCursor cursor;
    MemberProfile profile;
  };
  static_assert(sizeof(Member) == 64);

  double calibrate_gap_scale(double target_purchases) const;

  Period period_;
  std::uint32_t store_count_;
  std::uint64_t timeline_seed_;
  double expected_events_ = 0.0;
  TimelineParams params_{};
  std::vector<Member> members_;
  std::vector<EpochMs> join_ts_;  // by member; only needed to (re)start cursors
};

}  // namespace segmentd::gen
