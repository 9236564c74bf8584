// One validated input event (SPEC 2), as the engine sees it.
//
// The string views point into the buffer the event was parsed from (the parser's
// or the input line's); they are valid until the next event is parsed. The engine
// copies what it keeps (the member id and the event id).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

enum class EventType : std::uint8_t { purchase, refund, profile };

struct PurchaseEvent {
  std::string_view event_id;   // 1-128 bytes, unique per event
  std::string_view member_id;  // 1-128 bytes
  EpochMs ts{};                // event time, within [1990, 2100)
  EventType type = EventType::purchase;
  Money amount{};  // 0 <= amount <= 1e12 units, in thousandths; 0 for profiles
  // The distinct item categories (each once, sorted by UTF-8 bytes).
  std::span<const std::string_view> categories;
  std::string_view birthday;  // profiles: "MM-DD" or "YYYY-MM-DD" as sent; "" when absent
};

}  // namespace segmentd
