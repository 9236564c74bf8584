// The member action value of SPEC 5.7 (schema segmentd.action.v1), written as one
// compact JSON object. Shared by the JSON Lines file sink and the Kafka sink so replay
// and live output are byte-identical. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/member_action.h"

namespace segmentd {

inline constexpr std::string_view kActionSchema = "segmentd.action.v1";

// Appends the JSON object (no trailing newline) to `out`.
void append_action_json(std::string& out, const MemberAction& action);

// Appends "<member_id>:a<k>".
void append_action_id(std::string& out, const MemberAction& action);

}  // namespace segmentd
