// A transition: one member's label in one family changing (SPEC 3.1), as the engine
// hands it to its sink. Views are valid only during the TransitionSink::emit call.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

enum class TransitionCause : std::uint8_t { event, timer, sweep };

// The member's figures at the transition's instant.
struct TransitionSnapshot {
  std::uint32_t purchases = 0;
  EpochMs first_purchase_ts{};  // meaningful when purchases > 0 (else written as null)
  EpochMs last_purchase_ts{};   // meaningful when purchases > 0 (else written as null)
  Money monetary_total{};
};

struct Transition {
  std::string_view member_id;
  std::string_view family;  // "lifecycle", ...
  std::string_view from;
  std::string_view to;
  EpochMs effective_ts{};
  TransitionCause cause = TransitionCause::event;
  std::string_view event_id;  // empty unless cause == event
  std::uint64_t seq = 0;      // per member, from 1, no gaps
  TransitionSnapshot snapshot;
};

// Receives transitions in the order the engine decides them. Implementations write
// them out (JSON Lines file, Kafka) or collect them (tests). Called on the engine's
// thread; must not call back into the engine.
class TransitionSink {
 public:
  virtual ~TransitionSink() = default;
  virtual void emit(const Transition& transition) = 0;
};

}  // namespace segmentd
