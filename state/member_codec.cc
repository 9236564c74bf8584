#include "state/member_codec.h"

#include <cstdint>

#include "state/varint.h"

namespace segmentd {

namespace {

// Format 1: lifecycle only. Format 2 adds the labels of every family, the profile,
// item categories, actions and the sweep's unswept purchases.
constexpr std::uint8_t kMemberFormatV1 = 1;
constexpr std::uint8_t kMemberFormat = 2;
constexpr std::uint8_t kCheckpointFormatV1 = 1;
constexpr std::uint8_t kCheckpointFormat = 2;
// Upper bounds a decoded record must respect (anything larger is corruption).
constexpr std::uint64_t kMaxListLength = 1u << 20;
constexpr std::uint64_t kMaxFollowUpStep = 3;

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

void decode_figures(bytes::Reader& in, MemberFigures& f) {
  f.purchases = static_cast<std::uint32_t>(in.varint());
  f.refunds = static_cast<std::uint32_t>(in.varint());
  f.first_purchase = EpochMs{in.signed_varint()};
  f.last_purchase = EpochMs{f.first_purchase.ms + in.signed_varint()};
  f.net_total = Money{in.signed_varint()};
  const std::uint64_t day_count = in.varint();
  f.days.clear();
  std::int32_t day = 0;
  for (std::uint64_t i = 0; i < day_count && in.ok(); ++i) {
    day += static_cast<std::int32_t>(in.signed_varint());
    const auto purchases = static_cast<std::uint32_t>(in.varint());
    f.days.push_back(DayActivity{day, purchases, Money{in.signed_varint()}});
  }
}

void encode_extras(std::string& out, const MemberState& state) {
  bytes::put_varint(out, state.counted_families);
  bytes::put_varint(out, state.figures.has_profile ? 1 : 0);
  bytes::put_signed(out, state.profile_ts.ms);
  bytes::put_string(out, state.birthday);
  bytes::put_varint(out, state.categories.size());
  for (const CategoryFigures& c : state.categories) {
    bytes::put_string(out, c.category);
    bytes::put_varint(out, c.purchases);
    bytes::put_signed(out, c.first.ms);
    bytes::put_signed(out, c.last.ms - c.first.ms);
  }
  bytes::put_varint(out, state.actions_emitted);
  bytes::put_varint(out, state.pending_actions.size());
  for (const PendingAction& a : state.pending_actions) {
    bytes::put_varint(out, static_cast<std::uint64_t>(a.kind));
    bytes::put_signed(out, a.due.ms);
    bytes::put_varint(out, a.step);
    bytes::put_string(out, a.category);
    bytes::put_signed(out, a.expected.ms);
  }
  bytes::put_varint(out, state.unswept_purchases.size());
  for (EpochMs t : state.unswept_purchases) bytes::put_signed(out, t.ms);
  bytes::put_signed(out, state.swept_last_purchase.ms);
}

// Reads what encode_extras wrote; false when a value is out of its range.
bool decode_extras(bytes::Reader& in, MemberState& state) {
  const std::uint64_t counted = in.varint();
  if (counted >= (1u << kFamilyCount)) return false;
  state.counted_families = static_cast<std::uint8_t>(counted);
  const std::uint64_t has_profile = in.varint();
  state.figures.has_profile = has_profile == 1;
  state.profile_ts = EpochMs{in.signed_varint()};
  state.birthday = std::string(in.string());
  const std::uint64_t categories = in.varint();
  if (has_profile > 1 || categories > kMaxListLength) return false;
  for (std::uint64_t i = 0; i < categories && in.ok(); ++i) {
    CategoryFigures c;
    c.category = std::string(in.string());
    const std::uint64_t purchases = in.varint();
    c.first = EpochMs{in.signed_varint()};
    c.last = EpochMs{c.first.ms + in.signed_varint()};
    if (purchases == 0 || purchases > UINT32_MAX || c.last < c.first) return false;
    c.purchases = static_cast<std::uint32_t>(purchases);
    state.categories.push_back(std::move(c));
  }
  const std::uint64_t emitted = in.varint();
  const std::uint64_t pending = in.varint();
  if (emitted > UINT32_MAX || pending > kMaxListLength) return false;
  state.actions_emitted = static_cast<std::uint32_t>(emitted);
  for (std::uint64_t i = 0; i < pending && in.ok(); ++i) {
    PendingAction a;
    const std::uint64_t kind = in.varint();
    a.due = EpochMs{in.signed_varint()};
    const std::uint64_t step = in.varint();
    a.category = std::string(in.string());
    a.expected = EpochMs{in.signed_varint()};
    if (kind >= kActionKindCount || step > kMaxFollowUpStep) return false;
    a.kind = static_cast<ActionKind>(kind);
    a.step = static_cast<std::uint8_t>(step);
    state.pending_actions.push_back(std::move(a));
  }
  const std::uint64_t unswept = in.varint();
  if (unswept > kMaxListLength || unswept > state.figures.purchases) return false;
  for (std::uint64_t i = 0; i < unswept && in.ok(); ++i) {
    state.unswept_purchases.push_back(EpochMs{in.signed_varint()});
  }
  state.swept_last_purchase = EpochMs{in.signed_varint()};
  return true;
}

}  // namespace

void encode_member(std::string& out, const MemberState& state) {
  out.push_back(static_cast<char>(kMemberFormat));
  encode_figures(out, state.figures);
  const std::vector<std::string> ids = state.recent_events.oldest_first();
  bytes::put_varint(out, ids.size());
  for (const std::string& id : ids) bytes::put_string(out, id);
  for (std::uint8_t label : state.labels) bytes::put_varint(out, label);
  bytes::put_varint(out, state.seq);
  bytes::put_varint(out, state.timer ? 1 : 0);
  if (state.timer) bytes::put_signed(out, state.timer->ms);
  encode_extras(out, state);
}

bool decode_member(std::string_view in_bytes, MemberState& state) {
  if (in_bytes.empty()) return false;
  const auto format = static_cast<std::uint8_t>(in_bytes[0]);
  if (format != kMemberFormat && format != kMemberFormatV1) return false;
  bytes::Reader in(in_bytes.substr(1));
  state = MemberState{};
  state.known = true;
  decode_figures(in, state.figures);
  const std::uint64_t id_count = in.varint();
  std::vector<std::string> ids;
  for (std::uint64_t i = 0; i < id_count && in.ok(); ++i) ids.emplace_back(in.string());
  state.recent_events.assign_oldest_first(std::move(ids));
  const std::size_t families = format == kMemberFormatV1 ? 1 : kFamilyCount;
  for (std::size_t f = 0; f < families; ++f) {
    const std::uint64_t label = in.varint();
    if (label >= family_labels(static_cast<FamilyId>(f)).size()) return false;
    state.labels[f] = static_cast<std::uint8_t>(label);
  }
  state.seq = in.varint();
  if (in.varint() == 1) state.timer = EpochMs{in.signed_varint()};
  if (format == kMemberFormatV1) state.counted_families = 1;  // lifecycle was counted
  if (format == kMemberFormat && !decode_extras(in, state)) return false;
  return in.ok() && in.at_end();
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
  out.push_back(static_cast<char>(kCheckpointFormat));
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
    for (std::size_t label = 0; label < labels; ++label)
      bytes::put_signed(out, counts.members[label]);
  }
  bytes::put_string(out, checkpoint.source_position);
}

bool decode_checkpoint(std::string_view in_bytes, StreamCheckpoint& checkpoint) {
  if (in_bytes.empty()) return false;
  const auto format = static_cast<std::uint8_t>(in_bytes[0]);
  if (format != kCheckpointFormat && format != kCheckpointFormatV1) return false;
  bytes::Reader in(in_bytes.substr(1));
  StreamClock& clock = checkpoint.processor.clock;
  clock.started = in.varint() == 1;
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
  return in.ok() && in.at_end();
}

}  // namespace segmentd
