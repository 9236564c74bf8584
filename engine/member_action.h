// A member action (SPEC 5.7): a reminder for marketing, due at an instant, as the engine
// hands it to its sink. Views are valid only during the ActionSink::emit call.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/families/family_rules.h"
#include "engine/units.h"

namespace segmentd {

struct MemberAction {
  std::string_view member_id;
  ActionKind kind = ActionKind::follow_up;
  std::uint32_t number = 0;  // k of action_id "<member_id>:a<k>", per member from 1
  EpochMs due{};
  // detail, by kind:
  std::uint8_t step = 0;        // follow_up: 1, 2, 3
  std::uint32_t purchases = 0;  // follow_up: the member's purchases when it fires
  std::string_view category;    // replenish
  EpochMs expected{};           // replenish: when the member is expected to buy again
  std::string_view birthday;    // birthday: the profile's text as sent
};

// Receives actions in the order the engine fires them. Called on the engine's thread;
// must not call back into the engine.
class ActionSink {
 public:
  virtual ~ActionSink() = default;
  virtual void emit(const MemberAction& action) = 0;
};

}  // namespace segmentd
