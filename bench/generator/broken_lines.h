// Broken input lines from a fixed set of templates, each with the SPEC 2 reason
// code the engine must report for it:
//   invalid_json   truncated_json (a valid event cut short), not_json
//   missing_field  no_event_id, no_amount
//   invalid_field  ts_yesterday, empty_member_id
//   out_of_range   negative_amount, ts_1980, amount_1e13
//   unknown_type   type_void
//   too_large      oversized (a valid event padded past 65536 bytes; rare)
// Each template breaks exactly one rule, so the reason is unambiguous. Lines are
// never empty and never contain a newline; their ids ("bad-<serial>") never collide
// with member events.
//
// draw_broken_line makes every random choice (consuming `rng`); rendering is then a
// pure function of the spec. Thread-safe apart from the caller's rng.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/generator/civil_time.h"
#include "bench/generator/rng.h"

namespace segmentd::gen {

struct BrokenTemplate {
  std::string_view name;
  std::string_view reason;  // SPEC 2 reason code
};

struct BrokenLineSpec {
  EpochMs now;           // a plausible ts: the stream's current time
  std::uint64_t serial;  // numbers the line's event id
  std::uint32_t member;  // whose id the line carries
  std::uint16_t template_index;
  std::uint16_t cut_permille;  // truncated_json: where the line is cut
};

BrokenLineSpec draw_broken_line(Xoshiro256ss& rng, EpochMs now, std::uint32_t members,
                                std::uint64_t serial);

const BrokenTemplate& broken_template(const BrokenLineSpec& spec);

// Appends the line without a trailing newline.
void render_broken_line(std::string& out, const BrokenLineSpec& spec);

}  // namespace segmentd::gen
