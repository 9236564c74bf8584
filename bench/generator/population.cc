#include "bench/generator/population.h"

#include <algorithm>
#include <stdexcept>

namespace segmentd::gen {
namespace {

constexpr EpochMs kHorizon = 4'070'908'800'000;  // 2099-01-01T00:00:00Z
constexpr std::uint64_t kProfileStream = 0x9f0f11e;
constexpr std::uint64_t kTimelineStream = 0x71e11e;
constexpr std::uint32_t kMembersPerStore = 800;
constexpr double kEntriesPerSlot = 2048.0;
constexpr double kMinGapScale = 1e-6;
// How many pops ahead member data is prefetched: enough to hide memory latency.
constexpr std::size_t kPrefetchDistance = 16;

std::uint32_t store_count_for(std::uint32_t members) {
  return std::clamp<std::uint32_t>(members / kMembersPerStore, 5, 2000);
}

}  // namespace

Population::Population(const GeneratorOptions& options, double target_purchases)
    : period_{options.start, options.start + options.days * kMsPerDay},
      store_count_(store_count_for(options.members)),
      timeline_seed_(mix64(options.seed ^ kTimelineStream)),
      expected_events_(target_purchases) {
  SplitMix64 rng(mix64(options.seed ^ kProfileStream));
  members_.resize(options.members);
  join_ts_.resize(options.members);
  for (std::uint32_t m = 0; m < options.members; ++m) {
    const Enrolment enrolment = draw_member(rng, period_, store_count_, m == 0);
    members_[m].profile = enrolment.profile;
    join_ts_[m] = enrolment.join_ts;
  }
  const double refund_probability = options.refund_rate / (1.0 - options.refund_rate);
  params_ = {period_.start, kHorizon, calibrate_gap_scale(target_purchases), refund_probability,
             options.profile_rate};
  restart();
}

double Population::calibrate_gap_scale(double target_purchases) const {
  double fixed = 0.0;
  double ratio = 0.0;
  for (std::uint32_t m = 0; m < size(); ++m) {
    const ExpectedPurchases expected =
        expected_purchases({members_[m].profile, join_ts_[m]}, period_);
    fixed += expected.fixed;
    ratio += expected.gap_days_ratio;
  }
  const double room = std::max(target_purchases - fixed, 0.05 * target_purchases);
  if (room <= 0.0) return 1.0;
  return std::max(ratio / room, kMinGapScale);
}

MemberEvent Population::upcoming(std::uint32_t member) const {
  const MemberCursor& c = members_[member].cursor;
  return {member, c.index, c.upcoming_ts, c.upcoming_kind};
}

void Population::restart() {
  for (std::uint32_t m = 0; m < size(); ++m) {
    const Enrolment enrolment{members_[m].profile, join_ts_[m]};
    members_[m].cursor = start_cursor(enrolment, mix64(timeline_seed_ ^ m), params_);
  }
}

MemberEvent Population::take_next(TimeQueue& queue) {
  if (queue.empty()) throw std::runtime_error("the members ran out of events");
  const std::uint32_t member = queue.pop().member;
  if (const QueueEntry* soon = queue.lookahead(kPrefetchDistance)) {
    __builtin_prefetch(&members_[soon->member]);
  }
  const MemberEvent event = upcoming(member);
  advance(member);
  const MemberCursor& next = members_[member].cursor;
  if (!next.finished()) queue.push({next.upcoming_ts, member});
  return event;
}

TimeQueue Population::make_queue() const {
  const EpochMs span = period_.end - period_.start;
  const double width =
      static_cast<double>(span) * kEntriesPerSlot / std::max(expected_events_, 1.0);
  const EpochMs slot_width = std::clamp(static_cast<EpochMs>(width), kMsPerSecond, kMsPerDay);
  TimeQueue queue(period_.start, slot_width, static_cast<std::size_t>(span / slot_width) + 1);
  for (std::uint32_t m = 0; m < size(); ++m) {
    const MemberCursor& c = members_[m].cursor;
    if (!c.finished()) queue.push({c.upcoming_ts, m});
  }
  return queue;
}

}  // namespace segmentd::gen
