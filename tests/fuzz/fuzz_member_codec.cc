// libFuzzer target: arbitrary bytes as a stored member record through decode_member and
// decode_member_figures. Any bytes must be either refused or decoded into a state the
// engine can use (each family's label one of its labels) that encodes back to a record
// decoding to the same state, and the figures decode must read what the whole decode
// reads of a record it accepts; never a crash, an out-of-bounds read, an overflow or other
// undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/families/family_rules.h"
#include "state/member_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  segmentd::MemberState figures;  // the sweep's decode: any bytes, never a crash
  const bool figures_read = segmentd::decode_member_figures(bytes, figures);
  segmentd::MemberState state;
  if (!segmentd::decode_member(bytes, state)) return 0;
  // What the whole decode reads, the sweep's reads alike.
  if (!figures_read || figures.figures != state.figures ||
      figures.unswept_purchases != state.unswept_purchases ||
      figures.swept_last_purchase != state.swept_last_purchase) {
    std::abort();
  }
  for (segmentd::FamilyId f : segmentd::kAllFamilies) {
    if (state.label(f) >= segmentd::family_labels(f).size()) std::abort();
  }
  std::string encoded;
  segmentd::encode_member(encoded, state);
  segmentd::MemberState again;
  if (!segmentd::decode_member(encoded, again)) std::abort();
  const bool same = again.figures == state.figures && again.labels == state.labels &&
                    again.seq == state.seq && again.timer == state.timer &&
                    again.recent_events.oldest_first() == state.recent_events.oldest_first() &&
                    again.categories == state.categories &&
                    again.counted_families == state.counted_families &&
                    again.pending_actions == state.pending_actions &&
                    again.unswept_purchases == state.unswept_purchases;
  if (!same) std::abort();
  return 0;
}
