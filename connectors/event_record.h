// A parsed event as compact bytes, so `replay --sort` parses each line once: the sort
// keeps this record of an accepted event instead of its JSON line, and the replay
// decodes it (no JSON, no validation: it was validated when parsed) after sorting.
//
// Layout (native byte order; records never outlive the process): int64 ts | int64
// amount (thousandths) | uint8 type | uint32 count of categories | then, each as uint32
// length + bytes: event_id, member_id, birthday, the categories in order.
//
// EventRecordDecoder's events point into the decoded bytes (the strings) and into the
// decoder (the category list): valid while both are. Pure functions / one decoder per
// thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/purchase_event.h"

namespace segmentd {

void encode_event_record(std::string& out, const PurchaseEvent& event);

// The member id of a record written by encode_event_record (in this process), without
// decoding the rest.
std::string_view event_record_member_id(std::string_view bytes);

class EventRecordDecoder {
 public:
  // REQUIRES: `bytes` was written by encode_event_record (in this process).
  void decode(std::string_view bytes, PurchaseEvent& event);

 private:
  std::vector<std::string_view> categories_;
};

}  // namespace segmentd
