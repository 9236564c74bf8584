#include "state/member_codec.h"

#include "engine/lifecycle.h"
#include "state/varint.h"

namespace segmentd {

namespace {

constexpr std::uint8_t kMemberFormat = 1;
// 1: no tally; 2: tally appended.
constexpr std::uint8_t kCheckpointFormatWithoutTally = 1;
constexpr std::uint8_t kCheckpointFormat = 2;

constexpr std::int64_t kStoredDayLimit = kStoredTimeLimit / 86'400'000;

bool time_in_range(std::int64_t ms) { return ms >= -kStoredTimeLimit && ms <= kStoredTimeLimit; }

std::string time_error(std::string_view what, std::int64_t ms) {
  return std::string(what) + " " + std::to_string(ms) + " ms is outside the years 1-9999";
}

bool fail(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return false;
}

void encode_figures(std::string& out, const MemberFigures& f) {
  bytes::put_varint(out, f.purchases);
  bytes::put_varint(out, f.refunds);
  bytes::put_signed(out, f.first_purchase.ms);
  bytes::put_signed(out, f.last_purchase.ms - f.first_purchase.ms);
  bytes::put_signed(out, f.net_total.thousandths);
  bytes::put_varint(out, f.days.size());
  std::int32_t previous_day = 0;
  for (const DayActivity& d : f.days) {
    bytes::put_signed(out, d.day - previous_day);
    bytes::put_varint(out, d.purchases);
    bytes::put_signed(out, d.net.thousandths);
    previous_day = d.day;
  }
}

// Reads a varint that must fit in 32 bits.
bool read_u32(bytes::Reader& in, std::uint32_t& v, std::string_view what, std::string* why) {
  const std::uint64_t wide = in.varint();
  if (wide > UINT32_MAX) return fail(why, std::string(what) + " does not fit in 32 bits");
  v = static_cast<std::uint32_t>(wide);
  return true;
}

// Reads the figures; values whose arithmetic would overflow are refused here, the
// rest is left to check_member().
bool decode_figures(bytes::Reader& in, MemberFigures& f, std::string* why) {
  if (!read_u32(in, f.purchases, "purchase count", why)) return false;
  if (!read_u32(in, f.refunds, "refund count", why)) return false;
  f.first_purchase = EpochMs{in.signed_varint()};
  if (!time_in_range(f.first_purchase.ms)) {
    return fail(why, time_error("first purchase", f.first_purchase.ms));
  }
  const std::int64_t span = in.signed_varint();
  if (span < 0 || span > 2 * kStoredTimeLimit) {
    return fail(why, "last purchase is " + std::to_string(span) + " ms after the first");
  }
  f.last_purchase = EpochMs{f.first_purchase.ms + span};
  f.net_total = Money{in.signed_varint()};
  const std::uint64_t day_count = in.varint();
  if (day_count > static_cast<std::uint64_t>(kDailyHistoryDays)) {
    return fail(why, std::to_string(day_count) + " days of activity (at most " +
                         std::to_string(kDailyHistoryDays) + ")");
  }
  f.days.clear();
  std::int64_t day = 0;
  for (std::uint64_t i = 0; i < day_count && in.ok(); ++i) {
    const std::int64_t step = in.signed_varint();
    if (step < -2 * kStoredDayLimit || step > 2 * kStoredDayLimit) {
      return fail(why, "day of activity out of range");
    }
    day += step;
    if (day < -kStoredDayLimit || day > kStoredDayLimit) {
      return fail(why, "day of activity " + std::to_string(day) + " out of range");
    }
    DayActivity activity{static_cast<std::int32_t>(day), 0, {}};
    if (!read_u32(in, activity.purchases, "daily purchase count", why)) return false;
    activity.net = Money{in.signed_varint()};
    f.days.push_back(activity);
  }
  return true;
}

std::string check_figures(const MemberFigures& f) {
  if (!time_in_range(f.first_purchase.ms)) return time_error("first purchase", f.first_purchase.ms);
  if (!time_in_range(f.last_purchase.ms)) return time_error("last purchase", f.last_purchase.ms);
  if (f.last_purchase.ms < f.first_purchase.ms) return "last purchase before the first";
  if (f.days.size() > static_cast<std::size_t>(kDailyHistoryDays))
    return "too many days of activity";
  for (std::size_t i = 1; i < f.days.size(); ++i) {
    if (f.days[i].day <= f.days[i - 1].day) return "days of activity out of order";
  }
  if (!f.days.empty() && f.days.front().day <= f.days.back().day - kDailyHistoryDays) {
    return "days of activity span more than " + std::to_string(kDailyHistoryDays) + " days";
  }
  return {};
}

std::string check_recent_events(const RecentEventIds& recent) {
  const std::vector<std::string> ids = recent.oldest_first();
  if (ids.size() > kMaxStoredRecentEvents) {
    return std::to_string(ids.size()) + " recent event ids (at most " +
           std::to_string(kMaxStoredRecentEvents) + ")";
  }
  for (const std::string& id : ids) {
    if (id.empty() || id.size() > kMaxStoredEventIdBytes) {
      return "a recent event id of " + std::to_string(id.size()) + " bytes";
    }
  }
  return {};
}

std::string check_labels(const MemberState& state) {
  if (state.lifecycle >= kLifecycleLabelCount) {
    return "lifecycle label index " + std::to_string(state.lifecycle) + " out of range (0-" +
           std::to_string(kLifecycleLabelCount - 1) + ")";
  }
  return {};
}

std::string check_stats(const StreamStats& s) {
  for (std::size_t label = 0; label < s.members_per_lifecycle.size(); ++label) {
    if (s.members_per_lifecycle[label] < 0) {
      return "negative member count " + std::to_string(s.members_per_lifecycle[label]) +
             " for lifecycle label index " + std::to_string(label);
    }
  }
  return {};
}

std::string check_clock(const StreamClock& clock) {
  if (!time_in_range(clock.clock.ms)) return time_error("stream clock", clock.clock.ms);
  if (!time_in_range(clock.max_event_ts.ms)) {
    return time_error("largest event time", clock.max_event_ts.ms);
  }
  return {};
}

}  // namespace

void encode_member(std::string& out, const MemberState& state) {
  out.push_back(static_cast<char>(kMemberFormat));
  encode_figures(out, state.figures);
  const std::vector<std::string> ids = state.recent_events.oldest_first();
  bytes::put_varint(out, ids.size());
  for (const std::string& id : ids) bytes::put_string(out, id);
  bytes::put_varint(out, state.lifecycle);
  bytes::put_varint(out, state.seq);
  bytes::put_varint(out, state.timer ? 1 : 0);
  if (state.timer) bytes::put_signed(out, state.timer->ms);
}

bool decode_member(std::string_view in_bytes, MemberState& state, std::string* why) {
  if (in_bytes.empty()) return fail(why, "empty member record");
  if (static_cast<std::uint8_t>(in_bytes[0]) != kMemberFormat) {
    return fail(why, "unknown member record format " +
                         std::to_string(static_cast<std::uint8_t>(in_bytes[0])));
  }
  bytes::Reader in(in_bytes.substr(1));
  state = MemberState{};
  state.known = true;
  if (!decode_figures(in, state.figures, why)) return false;
  const std::uint64_t id_count = in.varint();
  if (id_count > kMaxStoredRecentEvents) {
    return fail(why, std::to_string(id_count) + " recent event ids (at most " +
                         std::to_string(kMaxStoredRecentEvents) + ")");
  }
  std::vector<std::string> ids;
  for (std::uint64_t i = 0; i < id_count && in.ok(); ++i) ids.emplace_back(in.string());
  state.recent_events.assign_oldest_first(std::move(ids));
  const std::uint64_t label = in.varint();
  if (label >= kLifecycleLabelCount) {
    return fail(why, "lifecycle label index " + std::to_string(label) + " out of range (0-" +
                         std::to_string(kLifecycleLabelCount - 1) + ")");
  }
  state.lifecycle = static_cast<std::uint8_t>(label);
  state.seq = in.varint();
  const std::uint64_t has_timer = in.varint();
  if (has_timer > 1) return fail(why, "bad timer flag " + std::to_string(has_timer));
  if (has_timer == 1) state.timer = EpochMs{in.signed_varint()};
  if (!in.ok() || !in.at_end()) return fail(why, "truncated or overlong member record");
  std::string problem = check_member(state);
  if (!problem.empty()) return fail(why, std::move(problem));
  return true;
}

std::string check_member(const MemberState& state) {
  for (const std::string& problem :
       {check_figures(state.figures), check_recent_events(state.recent_events),
        check_labels(state)}) {
    if (!problem.empty()) return problem;
  }
  if (state.timer && !time_in_range(state.timer->ms)) return time_error("timer", state.timer->ms);
  return {};
}

void encode_checkpoint(std::string& out, const StreamCheckpoint& checkpoint) {
  out.push_back(static_cast<char>(kCheckpointFormat));
  const StreamClock& clock = checkpoint.processor.clock;
  bytes::put_varint(out, clock.started ? 1 : 0);
  bytes::put_signed(out, clock.clock.ms);
  bytes::put_signed(out, clock.max_event_ts.ms);
  const StreamStats& s = checkpoint.processor.stats;
  for (std::uint64_t v :
       {s.events_applied, s.events_duplicate, s.events_late, s.timers_fired, s.transitions}) {
    bytes::put_varint(out, v);
  }
  for (const auto& row : s.lifecycle_transitions) {
    for (std::uint64_t v : row) bytes::put_varint(out, v);
  }
  for (std::int64_t v : s.members_per_lifecycle) bytes::put_signed(out, v);
  bytes::put_string(out, checkpoint.source_position);
  bytes::put_varint(out, checkpoint.tally ? 1 : 0);
  if (checkpoint.tally) {
    for (std::uint64_t v :
         {checkpoint.tally->members, checkpoint.tally->timers, checkpoint.tally->member_digest}) {
      bytes::put_varint(out, v);
    }
  }
}

bool decode_checkpoint(std::string_view in_bytes, StreamCheckpoint& checkpoint, std::string* why) {
  if (in_bytes.empty()) return fail(why, "empty checkpoint record");
  const auto format = static_cast<std::uint8_t>(in_bytes[0]);
  if (format != kCheckpointFormat && format != kCheckpointFormatWithoutTally) {
    return fail(why, "unknown checkpoint format " + std::to_string(format));
  }
  bytes::Reader in(in_bytes.substr(1));
  checkpoint = StreamCheckpoint{};
  StreamClock& clock = checkpoint.processor.clock;
  const std::uint64_t started = in.varint();
  if (started > 1) return fail(why, "bad clock flag " + std::to_string(started));
  clock.started = started == 1;
  clock.clock = EpochMs{in.signed_varint()};
  clock.max_event_ts = EpochMs{in.signed_varint()};
  StreamStats& s = checkpoint.processor.stats;
  for (std::uint64_t* v :
       {&s.events_applied, &s.events_duplicate, &s.events_late, &s.timers_fired, &s.transitions}) {
    *v = in.varint();
  }
  for (auto& row : s.lifecycle_transitions) {
    for (std::uint64_t& v : row) v = in.varint();
  }
  for (std::int64_t& v : s.members_per_lifecycle) v = in.signed_varint();
  checkpoint.source_position = std::string(in.string());
  if (format == kCheckpointFormat) {
    const std::uint64_t has_tally = in.varint();
    if (has_tally > 1) return fail(why, "bad tally flag " + std::to_string(has_tally));
    if (has_tally == 1) {
      StoreTally tally;
      for (std::uint64_t* v : {&tally.members, &tally.timers, &tally.member_digest}) {
        *v = in.varint();
      }
      checkpoint.tally = tally;
    }
  }
  if (!in.ok() || !in.at_end()) return fail(why, "truncated or overlong checkpoint record");
  std::string problem = check_checkpoint(checkpoint);
  if (!problem.empty()) return fail(why, std::move(problem));
  return true;
}

std::string check_checkpoint(const StreamCheckpoint& checkpoint) {
  std::string problem = check_clock(checkpoint.processor.clock);
  if (problem.empty()) problem = check_stats(checkpoint.processor.stats);
  return problem;
}

std::uint64_t record_digest(std::string_view member_id, std::string_view encoded) {
  // FNV-1a over the length-prefixed id and the record, then a splitmix64 finaliser so
  // that sums of digests do not cancel on small differences.
  std::uint64_t h = 14'695'981'039'346'656'037ull;
  auto mix_in = [&h](std::string_view part) {
    for (char c : part) h = (h ^ static_cast<std::uint8_t>(c)) * 1'099'511'628'211ull;
  };
  std::string length;
  bytes::put_varint(length, member_id.size());
  mix_in(length);
  mix_in(member_id);
  mix_in(encoded);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace segmentd
