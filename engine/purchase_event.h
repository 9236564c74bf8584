// One validated input event (SPEC 2), as the engine sees it.
//
// The string views point into the buffer the event was parsed from (the parser's
// or the input line's); they are valid until the next event is parsed. The engine
// copies what it keeps (the member id and the event id).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

enum class EventType : std::uint8_t { purchase, refund };

struct PurchaseEvent {
  std::string_view event_id;   // 1-128 bytes, unique per event
  std::string_view member_id;  // 1-128 bytes
  EpochMs ts{};                // event time, within [1990, 2100)
  EventType type = EventType::purchase;
  Money amount{};              // 0 <= amount <= 1e12 units, in thousandths
};

}  // namespace segmentd
