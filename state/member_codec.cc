#include "state/member_codec.h"

#include <algorithm>
#include <cstdint>

#include "state/varint.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace segmentd {

namespace {

// Member records: format 1 (lifecycle only); format 2 adds the labels of every family, the
// profile, item categories, actions and the sweep's unswept purchases.
constexpr std::uint8_t kMemberFormatV1 = 1;
constexpr std::uint8_t kMemberFormat = 2;
// Checkpoints: format 1 (lifecycle counts, no tally); format 2 adds the action and sweep
// counters, the utc offset, every family's counts and the tally (of legacy_record_digest());
// format 3 is format 2 with the tally of record_digest().
constexpr std::uint8_t kCheckpointFormatV1 = 1;
constexpr std::uint8_t kCheckpointFormatV2 = 2;
constexpr std::uint8_t kCheckpointFormat = 3;
// Upper bounds a decoded record must respect (anything larger is corruption).
constexpr std::uint64_t kMaxListLength = 1u << 20;
constexpr std::uint64_t kMaxFollowUpStep = 3;

constexpr std::int64_t kStoredDayLimit = kStoredTimeLimit / 86'400'000;

bool time_in_range(std::int64_t ms) { return ms >= -kStoredTimeLimit && ms <= kStoredTimeLimit; }

std::string time_error(std::string_view what, std::int64_t ms) {
  return std::string(what) + " " + std::to_string(ms) + " ms is outside the years 1-9999";
}

bool fail(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return false;
}

void encode_figures(bytes::Writer& out, const MemberFigures& f) {
  out.varint(f.purchases);
  out.varint(f.refunds);
  out.signed_varint(f.first_purchase.ms);
  out.signed_varint(f.last_purchase.ms - f.first_purchase.ms);
  out.signed_varint(f.net_total.thousandths);
  out.varint(f.days.size());
  std::int32_t previous_day = 0;
  for (const DayActivity& d : f.days) {
    out.signed_varint(d.day - previous_day);
    out.varint(d.purchases);
    out.signed_varint(d.net.thousandths);
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
  f.days.reserve(day_count);
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

void encode_extras(bytes::Writer& out, const MemberState& state) {
  out.varint(state.counted_families);
  out.varint(state.figures.has_profile ? 1 : 0);
  out.signed_varint(state.profile_ts.ms);
  out.string(state.birthday);
  out.varint(state.categories.size());
  for (const CategoryFigures& c : state.categories) {
    out.string(c.category);
    out.varint(c.purchases);
    out.signed_varint(c.first.ms);
    out.signed_varint(c.last.ms - c.first.ms);
  }
  out.varint(state.actions_emitted);
  out.varint(state.pending_actions.size());
  for (const PendingAction& a : state.pending_actions) {
    out.varint(static_cast<std::uint64_t>(a.kind));
    out.signed_varint(a.due.ms);
    out.varint(a.step);
    out.string(a.category);
    out.signed_varint(a.expected.ms);
  }
  out.varint(state.unswept_purchases.size());
  for (EpochMs t : state.unswept_purchases) out.signed_varint(t.ms);
  out.signed_varint(state.swept_last_purchase.ms);
}

// Reads a stored instant; false (saying why) when it lies outside kStoredTimeLimit.
bool read_time(bytes::Reader& in, EpochMs& t, std::string_view what, std::string* why) {
  t = EpochMs{in.signed_varint()};
  return time_in_range(t.ms) || fail(why, time_error(what, t.ms));
}

// Reads `last` stored as its distance from `first` (an in-range instant).
bool read_time_after(bytes::Reader& in, EpochMs first, EpochMs& last, std::string_view what,
                     std::string* why) {
  const std::int64_t span = in.signed_varint();
  if (span < 0 || span > 2 * kStoredTimeLimit || !time_in_range(first.ms + span)) {
    return fail(why, std::string(what) + " is " + std::to_string(span) + " ms after its start");
  }
  last = EpochMs{first.ms + span};
  return true;
}

// Reads the end of what encode_extras wrote: the unswept purchases (appended to
// state.unswept_purchases) and the last swept purchase.
bool decode_unswept(bytes::Reader& in, MemberState& state, std::string* why) {
  const std::uint64_t unswept = in.varint();
  if (unswept > kMaxListLength || unswept > state.figures.purchases) {
    return fail(why, std::to_string(unswept) + " unswept purchases");
  }
  for (std::uint64_t i = 0; i < unswept && in.ok(); ++i) {
    EpochMs t;
    if (!read_time(in, t, "unswept purchase time", why)) return false;
    state.unswept_purchases.push_back(t);
  }
  return read_time(in, state.swept_last_purchase, "last swept purchase time", why);
}

// Reads what encode_extras wrote; false (saying why) when a value is out of its range.
bool decode_extras(bytes::Reader& in, MemberState& state, std::string* why) {
  const std::uint64_t counted = in.varint();
  if (counted >= (1u << kFamilyCount)) {
    return fail(why, "counted-families mask " + std::to_string(counted) + " out of range");
  }
  state.counted_families = static_cast<std::uint8_t>(counted);
  const std::uint64_t has_profile = in.varint();
  state.figures.has_profile = has_profile == 1;
  if (!read_time(in, state.profile_ts, "profile time", why)) return false;
  state.birthday = std::string(in.string());
  const std::uint64_t categories = in.varint();
  if (has_profile > 1) return fail(why, "bad profile flag " + std::to_string(has_profile));
  if (categories > kMaxListLength)
    return fail(why, std::to_string(categories) + " item categories");
  // Each takes a few bytes: a corrupt count cannot reserve more than the record holds.
  state.categories.reserve(std::min<std::uint64_t>(categories, in.remaining()));
  for (std::uint64_t i = 0; i < categories && in.ok(); ++i) {
    CategoryFigures c;
    c.category = std::string(in.string());
    const std::uint64_t purchases = in.varint();
    if (!read_time(in, c.first, "first purchase of a category", why) ||
        !read_time_after(in, c.first, c.last, "last purchase of a category", why)) {
      return false;
    }
    if (purchases == 0 || purchases > UINT32_MAX) {
      return fail(why, "bad figures for item category \"" + c.category + "\"");
    }
    c.purchases = static_cast<std::uint32_t>(purchases);
    state.categories.push_back(std::move(c));
  }
  const std::uint64_t emitted = in.varint();
  const std::uint64_t pending = in.varint();
  if (emitted > UINT32_MAX || pending > kMaxListLength) {
    return fail(why,
                "bad action counts " + std::to_string(emitted) + "/" + std::to_string(pending));
  }
  state.actions_emitted = static_cast<std::uint32_t>(emitted);
  state.pending_actions.reserve(std::min<std::uint64_t>(pending, in.remaining()));
  for (std::uint64_t i = 0; i < pending && in.ok(); ++i) {
    PendingAction a;
    const std::uint64_t kind = in.varint();
    if (!read_time(in, a.due, "action due time", why)) return false;
    const std::uint64_t step = in.varint();
    a.category = std::string(in.string());
    if (!read_time(in, a.expected, "expected repurchase time", why)) return false;
    if (kind >= kActionKindCount || step > kMaxFollowUpStep) {
      return fail(why, "pending action kind " + std::to_string(kind) + " step " +
                           std::to_string(step) + " out of range");
    }
    a.kind = static_cast<ActionKind>(kind);
    a.step = static_cast<std::uint8_t>(step);
    state.pending_actions.push_back(std::move(a));
  }
  return decode_unswept(in, state, why);
}

// Passes over what encode_extras wrote before the unswept purchases, reading only the
// profile flag (a figure), then reads the unswept purchases: the sweep's part of the extras.
bool skim_extras(bytes::Reader& in, MemberState& state, std::string* why) {
  in.varint();  // counted families
  const std::uint64_t has_profile = in.varint();
  if (has_profile > 1) return fail(why, "bad profile flag " + std::to_string(has_profile));
  state.figures.has_profile = has_profile == 1;
  in.signed_varint();  // profile time
  in.string();         // birthday
  const std::uint64_t categories = in.varint();
  if (categories > kMaxListLength)
    return fail(why, std::to_string(categories) + " item categories");
  for (std::uint64_t i = 0; i < categories && in.ok(); ++i) {
    in.string();
    in.varint();
    in.signed_varint();
    in.signed_varint();
  }
  in.varint();  // actions emitted
  const std::uint64_t pending = in.varint();
  if (pending > kMaxListLength) return fail(why, std::to_string(pending) + " pending actions");
  for (std::uint64_t i = 0; i < pending && in.ok(); ++i) {
    in.varint();
    in.signed_varint();
    in.varint();
    in.string();
    in.signed_varint();
  }
  return decode_unswept(in, state, why);
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
  if (recent.size() > kMaxStoredRecentEvents) {
    return std::to_string(recent.size()) + " recent event ids (at most " +
           std::to_string(kMaxStoredRecentEvents) + ")";
  }
  std::string problem;
  recent.for_each_oldest_first([&](std::string_view id) {
    if (problem.empty() && (id.empty() || id.size() > kMaxStoredEventIdBytes)) {
      problem = "a recent event id of " + std::to_string(id.size()) + " bytes";
    }
  });
  return problem;
}

std::string label_error(FamilyId family, std::uint64_t label) {
  return std::string(family_name(family)) + " label index " + std::to_string(label) +
         " out of range (0-" + std::to_string(family_labels(family).size() - 1) + ")";
}

std::string check_labels(const MemberState& state) {
  for (FamilyId f : kAllFamilies) {
    if (state.label(f) >= family_labels(f).size()) return label_error(f, state.label(f));
  }
  return {};
}

std::string check_stats(const StreamStats& s) {
  for (FamilyId f : kAllFamilies) {
    const FamilyCounts& counts = s.family(f);
    for (std::size_t label = 0; label < family_labels(f).size(); ++label) {
      if (counts.members[label] < 0) {
        return "negative member count " + std::to_string(counts.members[label]) + " for " +
               std::string(family_name(f)) + " label index " + std::to_string(label);
      }
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

// The record's format (first byte), or 0 (saying why) when it is none of the member formats.
std::uint8_t member_format(std::string_view bytes, std::string* why) {
  if (bytes.empty()) {
    fail(why, "empty member record");
    return 0;
  }
  const auto format = static_cast<std::uint8_t>(bytes[0]);
  if (format != kMemberFormat && format != kMemberFormatV1) {
    fail(why, "unknown member record format " + std::to_string(format));
    return 0;
  }
  return format;
}

}  // namespace

void encode_member(std::string& out, const MemberState& state) {
  // About what a record takes (a regrowth when it takes more).
  const std::size_t expected = 64 + state.recent_events.packed().size() +
                               12 * state.figures.days.size() + 32 * state.categories.size() +
                               48 * state.pending_actions.size() +
                               8 * state.unswept_purchases.size();
  bytes::Writer writer(out, expected);
  writer.byte(kMemberFormat);
  encode_figures(writer, state.figures);
  // The ring's packed form is this record's encoding of its ids (put_string each).
  writer.varint(state.recent_events.size());
  writer.raw(state.recent_events.packed());
  for (std::uint8_t label : state.labels) writer.varint(label);
  writer.varint(state.seq);
  writer.varint(state.timer ? 1 : 0);
  if (state.timer) writer.signed_varint(state.timer->ms);
  encode_extras(writer, state);
  writer.finish();
}

bool decode_member(std::string_view in_bytes, MemberState& state, std::string* why) {
  const std::uint8_t format = member_format(in_bytes, why);
  if (format == 0) return false;
  bytes::Reader in(in_bytes.substr(1));
  state = MemberState{};
  state.known = true;
  if (!decode_figures(in, state.figures, why)) return false;
  const std::uint64_t id_count = in.varint();
  if (id_count > kMaxStoredRecentEvents) {
    return fail(why, std::to_string(id_count) + " recent event ids (at most " +
                         std::to_string(kMaxStoredRecentEvents) + ")");
  }
  const std::size_t ids_from = in.position();
  for (std::uint64_t i = 0; i < id_count && in.ok(); ++i) in.string();
  if (in.ok()) {
    state.recent_events.assign_packed(static_cast<std::uint32_t>(id_count),
                                      in_bytes.substr(1 + ids_from, in.position() - ids_from));
  }
  const std::size_t families = format == kMemberFormatV1 ? 1 : kFamilyCount;
  for (std::size_t f = 0; f < families; ++f) {
    const std::uint64_t label = in.varint();
    const auto family = static_cast<FamilyId>(f);
    if (label >= family_labels(family).size()) return fail(why, label_error(family, label));
    state.labels[f] = static_cast<std::uint8_t>(label);
  }
  state.seq = in.varint();
  const std::uint64_t has_timer = in.varint();
  if (has_timer > 1) return fail(why, "bad timer flag " + std::to_string(has_timer));
  if (has_timer == 1) state.timer = EpochMs{in.signed_varint()};
  if (format == kMemberFormatV1) state.counted_families = 1;  // lifecycle was counted
  if (format == kMemberFormat && !decode_extras(in, state, why)) return false;
  if (!in.ok() || !in.at_end()) return fail(why, "truncated or overlong member record");
  std::string problem = check_member(state);
  if (!problem.empty()) return fail(why, std::move(problem));
  return true;
}

bool decode_member_figures(std::string_view in_bytes, MemberState& state, std::string* why) {
  const std::uint8_t format = member_format(in_bytes, why);
  if (format == 0) return false;
  bytes::Reader in(in_bytes.substr(1));
  state.known = true;
  state.figures.has_profile = false;
  state.unswept_purchases.clear();
  state.swept_last_purchase = EpochMs{};
  if (!decode_figures(in, state.figures, why)) return false;
  // Passed over: the dedupe ring, the labels, seq and the timer.
  const std::uint64_t id_count = in.varint();
  if (id_count > kMaxStoredRecentEvents) {
    return fail(why, std::to_string(id_count) + " recent event ids (at most " +
                         std::to_string(kMaxStoredRecentEvents) + ")");
  }
  for (std::uint64_t i = 0; i < id_count && in.ok(); ++i) in.string();
  const std::size_t families = format == kMemberFormatV1 ? 1 : kFamilyCount;
  for (std::size_t f = 0; f < families; ++f) in.varint();
  in.varint();  // seq
  const std::uint64_t has_timer = in.varint();
  if (has_timer > 1) return fail(why, "bad timer flag " + std::to_string(has_timer));
  if (has_timer == 1) in.signed_varint();
  if (format == kMemberFormat && !skim_extras(in, state, why)) return false;
  if (!in.ok() || !in.at_end()) return fail(why, "truncated or overlong member record");
  std::string problem = check_figures(state.figures);
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

namespace {

// Format 1 held the lifecycle counts of its six labels (no prospect).
void decode_v1_counts(bytes::Reader& in, StreamStats& s) {
  constexpr std::size_t kV1Labels = 6;
  FamilyCounts& lifecycle = s.family(FamilyId::lifecycle);
  for (std::size_t from = 0; from < kV1Labels; ++from) {
    for (std::size_t to = 0; to < kV1Labels; ++to) {
      lifecycle.transitions[from * kMaxFamilyLabels + to] = in.varint();
    }
  }
  for (std::size_t label = 0; label < kV1Labels; ++label)
    lifecycle.members[label] = in.signed_varint();
}

void decode_family_counts(bytes::Reader& in, StreamStats& s) {
  for (FamilyId f : kAllFamilies) {
    FamilyCounts& counts = s.family(f);
    const std::size_t labels = family_labels(f).size();
    for (std::size_t from = 0; from < labels; ++from) {
      for (std::size_t to = 0; to < labels; ++to) {
        counts.transitions[from * kMaxFamilyLabels + to] = in.varint();
      }
    }
    for (std::size_t label = 0; label < labels; ++label) counts.members[label] = in.signed_varint();
  }
}

}  // namespace

void encode_checkpoint(std::string& out, const StreamCheckpoint& checkpoint) {
  const bool legacy = checkpoint.tally && checkpoint.tally->legacy_digest;
  out.push_back(static_cast<char>(legacy ? kCheckpointFormatV2 : kCheckpointFormat));
  const StreamClock& clock = checkpoint.processor.clock;
  bytes::put_varint(out, clock.started ? 1 : 0);
  bytes::put_signed(out, clock.clock.ms);
  bytes::put_signed(out, clock.max_event_ts.ms);
  const StreamStats& s = checkpoint.processor.stats;
  for (std::uint64_t v : {s.events_applied, s.events_duplicate, s.events_late, s.timers_fired,
                          s.transitions, s.actions, s.sweeps}) {
    bytes::put_varint(out, v);
  }
  bytes::put_signed(out, checkpoint.processor.utc_offset.ms);
  for (FamilyId f : kAllFamilies) {
    const FamilyCounts& counts = s.family(f);
    const std::size_t labels = family_labels(f).size();
    for (std::size_t from = 0; from < labels; ++from) {
      for (std::size_t to = 0; to < labels; ++to) {
        bytes::put_varint(out, counts.transitions_between(from, to));
      }
    }
    for (std::size_t label = 0; label < labels; ++label) {
      bytes::put_signed(out, counts.members[label]);
    }
  }
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
  if (format != kCheckpointFormat && format != kCheckpointFormatV2 &&
      format != kCheckpointFormatV1) {
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
  if (format == kCheckpointFormatV1) {
    decode_v1_counts(in, s);
  } else {
    s.actions = in.varint();
    s.sweeps = in.varint();
    checkpoint.processor.utc_offset = DurationMs{in.signed_varint()};
    decode_family_counts(in, s);
  }
  checkpoint.source_position = std::string(in.string());
  if (format != kCheckpointFormatV1) {
    const std::uint64_t has_tally = in.varint();
    if (has_tally > 1) return fail(why, "bad tally flag " + std::to_string(has_tally));
    if (has_tally == 1) {
      StoreTally tally;
      tally.legacy_digest = format == kCheckpointFormatV2;
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
  // The record hashed with the id's hash as the seed: XXH3 reads 32 bytes a step where
  // FNV-1a (legacy_record_digest) chains a multiply per byte, which was 3-4 % of a
  // replay's CPU at a million members.
  return XXH3_64bits_withSeed(encoded.data(), encoded.size(),
                              XXH3_64bits(member_id.data(), member_id.size()));
}

std::uint64_t legacy_record_digest(std::string_view member_id, std::string_view encoded) {
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
