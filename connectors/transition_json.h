// The transition event value of SPEC 3.1 (schema segmentd.transition.v1), written as
// one compact JSON object. Shared by the JSON Lines file sink and the Kafka sink so
// replay and live output are byte-identical.
//
// Money is printed exactly (at most three fractional digits, no exponent); strings are
// escaped per RFC 8259 with UTF-8 passed through. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/transition.h"

namespace segmentd {

inline constexpr std::string_view kTransitionSchema = "segmentd.transition.v1";

// Appends the JSON object (no trailing newline) to `out`.
void append_transition_json(std::string& out, const Transition& transition);

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

}  // namespace segmentd
