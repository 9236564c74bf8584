// Validates one input event value (SPEC 2) and turns it into a PurchaseEvent, or says
// exactly why not. The only module that links simdjson.
//
// Rules, in the order they are checked (the first failure is reported):
//   size > input.max_event_bytes            -> too_large
//   not one JSON object (syntax, NaN, trailing bytes, non-object) -> invalid_json
//   then field by field, in the order event_id, member_id, ts, type, amount (not for
//   profiles), items, store_id, currency, birthday (profiles only): missing ->
//   missing_field, wrong type / syntax / length -> invalid_field, outside the allowed
//   range -> out_of_range, type not purchase|refund|profile -> unknown_type; a birthday
//   must be "MM-DD" (a day of a leap year) or "YYYY-MM-DD" (a real date);
//   last, ts beyond the future limit        -> future_timestamp.
// Optional fields given as JSON null count as absent; a required field given as null
// is invalid_field. A known field given twice is invalid_field. Unknown fields are
// ignored but must be valid JSON, nested less than 1024 deep. Ids are 1-128 bytes after
// unescaping. ts is an RFC 3339 string or an integer token of epoch milliseconds (a
// fraction or an exponent is invalid_field). Items are checked as {sku: string,
// category?: string of 1-128 bytes, qty: number > 0, price?: number >= 0}; the first bad
// item is reported as "items: <sku|category|qty|price>". A purchase's event carries its
// items' distinct categories (SPEC 5.7 replenish).
// Money is taken from the JSON text itself (never through a double).
//
// Details name the field and the problem ("ts: not RFC 3339", "amount: negative",
// "type: 'void'") and never contain money amounts.
//
// Buffers for input.max_event_bytes are allocated up front (about 7x that size: 440 KiB
// for the default 64 KiB); parse() then allocates nothing. Not thread-safe: one parser per thread.
// The views in the produced event point into the parser's own buffers and stay valid until the next
// parse().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "engine/purchase_event.h"
#include "engine/rejection.h"

namespace segmentd {

class EventParser {
 public:
  // Throws std::length_error if max_event_bytes is above simdjson's limit (4 GiB).
  explicit EventParser(std::size_t max_event_bytes);
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Live mode only: events with ts later than `limit` are rejected as
  // future_timestamp. nullopt (the default) disables the check.
  void set_future_limit(std::optional<EpochMs> limit);

  // Parses `bytes` (one event value, no trailing newline). Returns true and fills
  // `event` when the event is valid; returns false and fills `rejection` otherwise.
  [[nodiscard]] bool parse(std::string_view bytes, PurchaseEvent& event, Rejection& rejection);

  // The too_large rejection of an event of `size` bytes, for callers that did not keep
  // the whole of it (JsonlReader drops what is past input.max_event_bytes).
  void reject_oversized(std::uint64_t size, Rejection& rejection) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
