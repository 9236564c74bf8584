// Why an input event was rejected (SPEC 2): a stable reason code for the dead-letter
// record and the `segmentd_events_rejected_total{reason}` metric, plus free text.
//
// Reason codes are part of the public contract: never rename one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace segmentd {

enum class RejectReason : std::uint8_t {
  invalid_json,
  too_large,
  missing_field,
  invalid_field,
  out_of_range,
  unknown_type,
  future_timestamp,
};

inline constexpr std::size_t kRejectReasonCount = 7;

constexpr std::string_view reason_code(RejectReason r) {
  constexpr std::array<std::string_view, kRejectReasonCount> codes = {
      "invalid_json", "too_large",    "missing_field",   "invalid_field",
      "out_of_range", "unknown_type", "future_timestamp"};
  return codes[static_cast<std::size_t>(r)];
}

struct Rejection {
  RejectReason reason = RejectReason::invalid_json;
  std::string detail;  // which field and what was wrong, e.g. "amount: negative"
};

}  // namespace segmentd
