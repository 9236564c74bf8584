// Renders member events as JSON lines (SPEC 2 field set), without iostreams.
//
// Everything but the time and kind of an event is a pure function of (seed,
// member, per-member index): the event id, amount, items and the presentation
// choices below. Rendering the same event twice gives the same bytes, and a refund
// (which always directly follows its purchase in the member's sequence) recomputes
// the purchase it refunds. Presentation varies the way real producers do:
//   event_id   "e<member base36>-<index base36>" or a UUID-shaped id (unique by
//              construction: a bijection of (member, index));
//   member_id  "m-<member + 1>";
//   ts         RFC 3339 with Z (with or without milliseconds), RFC 3339 with the
//              home store's offset, or epoch milliseconds as an integer;
//   type       omitted or "purchase" for purchases, always "refund" for refunds;
//   amount     JSON number with two decimals, shortest JSON number, or decimal
//              string; a refund never exceeds the purchase it refunds;
//   optional   currency, store_id, channel (an unknown field), items, and for
//              refunds original_event_id (also unknown to SPEC 2).
// `render` appends exactly one line without the trailing newline. Thread-safe.
#pragma once

#include <cstdint>

#include "bench/generator/basket.h"
#include "bench/generator/civil_time.h"
#include "bench/generator/line_buffer.h"
#include "bench/generator/member_profile.h"
#include "bench/generator/member_timeline.h"
#include "bench/generator/rng.h"

namespace segmentd::gen {

class EventWriter {
 public:
  EventWriter(std::uint64_t seed, std::uint32_t store_count);

  void render(LineBuffer& out, const MemberEvent& event, const ShoppingStyle& style) const;
  // A profile event (SPEC 5.7), most with a birthday.
  // {"event_id": ..., "member_id": ..., "ts": ... (the opening fields of every line).
  void render_head(LineBuffer& out, SplitMix64& rng, const MemberEvent& event,
                   const ShoppingStyle& style) const;
  void render_profile(LineBuffer& out, SplitMix64& rng, const MemberEvent& event,
                      const ShoppingStyle& style) const;

 private:
  void append_event_id(LineBuffer& out, std::uint32_t member, std::uint32_t index) const;
  void append_store_fields(LineBuffer& out, SplitMix64& rng, const ShoppingStyle& style) const;

  Catalogue catalogue_;
  std::uint64_t style_seed_;
  std::uint64_t id_seed_;
  std::uint32_t store_count_;
};

}  // namespace segmentd::gen
