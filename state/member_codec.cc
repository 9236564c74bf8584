#include "state/member_codec.h"

#include "state/varint.h"

namespace segmentd {

namespace {

constexpr std::uint8_t kMemberFormat = 1;
constexpr std::uint8_t kCheckpointFormat = 1;

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

bool decode_member(std::string_view in_bytes, MemberState& state) {
  if (in_bytes.empty() || static_cast<std::uint8_t>(in_bytes[0]) != kMemberFormat) return false;
  bytes::Reader in(in_bytes.substr(1));
  state = MemberState{};
  state.known = true;
  decode_figures(in, state.figures);
  const std::uint64_t id_count = in.varint();
  std::vector<std::string> ids;
  for (std::uint64_t i = 0; i < id_count && in.ok(); ++i) ids.emplace_back(in.string());
  state.recent_events.assign_oldest_first(std::move(ids));
  state.lifecycle = static_cast<std::uint8_t>(in.varint());
  state.seq = in.varint();
  if (in.varint() == 1) state.timer = EpochMs{in.signed_varint()};
  return in.ok() && in.at_end();
}

void encode_checkpoint(std::string& out, const StreamCheckpoint& checkpoint) {
  out.push_back(static_cast<char>(kCheckpointFormat));
  const StreamClock& clock = checkpoint.processor.clock;
  bytes::put_varint(out, clock.started ? 1 : 0);
  bytes::put_signed(out, clock.clock.ms);
  bytes::put_signed(out, clock.max_event_ts.ms);
  const StreamStats& s = checkpoint.processor.stats;
  for (std::uint64_t v : {s.events_applied, s.events_duplicate, s.events_late, s.timers_fired,
                          s.transitions}) {
    bytes::put_varint(out, v);
  }
  for (const auto& row : s.lifecycle_transitions) {
    for (std::uint64_t v : row) bytes::put_varint(out, v);
  }
  for (std::int64_t v : s.members_per_lifecycle) bytes::put_signed(out, v);
  bytes::put_string(out, checkpoint.source_position);
}

bool decode_checkpoint(std::string_view in_bytes, StreamCheckpoint& checkpoint) {
  if (in_bytes.empty() || static_cast<std::uint8_t>(in_bytes[0]) != kCheckpointFormat) {
    return false;
  }
  bytes::Reader in(in_bytes.substr(1));
  StreamClock& clock = checkpoint.processor.clock;
  clock.started = in.varint() == 1;
  clock.clock = EpochMs{in.signed_varint()};
  clock.max_event_ts = EpochMs{in.signed_varint()};
  StreamStats& s = checkpoint.processor.stats;
  for (std::uint64_t* v : {&s.events_applied, &s.events_duplicate, &s.events_late,
                           &s.timers_fired, &s.transitions}) {
    *v = in.varint();
  }
  for (auto& row : s.lifecycle_transitions) {
    for (std::uint64_t& v : row) v = in.varint();
  }
  for (std::int64_t& v : s.members_per_lifecycle) v = in.signed_varint();
  checkpoint.source_position = std::string(in.string());
  return in.ok() && in.at_end();
}

}  // namespace segmentd
