// libFuzzer target: arbitrary bytes as a stored member record through decode_member. Any
// bytes must be either refused or decoded into a state the engine can use (its lifecycle
// label one of the labels) that encodes back to a record decoding to the same state;
// never a crash, an out-of-bounds read, an overflow or other undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/lifecycle.h"
#include "state/member_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  segmentd::MemberState state;
  if (!segmentd::decode_member(bytes, state)) return 0;
  if (state.lifecycle >= segmentd::kLifecycleLabelCount) std::abort();
  std::string encoded;
  segmentd::encode_member(encoded, state);
  segmentd::MemberState again;
  if (!segmentd::decode_member(encoded, again)) std::abort();
  const bool same = again.figures == state.figures && again.lifecycle == state.lifecycle &&
                    again.seq == state.seq && again.timer == state.timer &&
                    again.recent_events.oldest_first() == state.recent_events.oldest_first();
  if (!same) std::abort();
  return 0;
}
