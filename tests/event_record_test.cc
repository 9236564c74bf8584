// The records `replay --sort` keeps of parsed events decode to the same events.
#include "connectors/event_record.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace segmentd {
namespace {

TEST_CASE("an event record decodes to the event encoded", "[sort]") {
  const std::vector<std::string_view> categories = {"beverages", "grocery", "ü-ñ"};
  PurchaseEvent profile;
  profile.event_id = "e-1";
  profile.member_id = "m-42";
  profile.ts = EpochMs{-1'000};
  profile.type = EventType::profile;
  profile.birthday = "1990-02-28";
  PurchaseEvent purchase;
  purchase.event_id = std::string_view("e\0x", 3);
  purchase.member_id = "m-7";
  purchase.ts = EpochMs{1'672'531'722'030};
  purchase.amount = Money{1'000'000'000'000'000};
  purchase.categories = categories;
  PurchaseEvent refund = purchase;
  refund.type = EventType::refund;
  refund.categories = {};

  std::vector<std::string> records;
  for (const PurchaseEvent* e : {&profile, &purchase, &refund}) {
    records.emplace_back();
    encode_event_record(records.back(), *e);
  }
  EventRecordDecoder decoder;
  std::size_t i = 0;
  for (const PurchaseEvent* e : {&profile, &purchase, &refund}) {
    PurchaseEvent decoded;
    decoder.decode(records[i++], decoded);
    CHECK(decoded.event_id == e->event_id);
    CHECK(decoded.member_id == e->member_id);
    CHECK(event_record_member_id(records[i - 1]) == e->member_id);
    CHECK(decoded.ts == e->ts);
    CHECK(decoded.type == e->type);
    CHECK(decoded.amount == e->amount);
    CHECK(decoded.birthday == e->birthday);
    CHECK(std::vector<std::string_view>(decoded.categories.begin(), decoded.categories.end()) ==
          std::vector<std::string_view>(e->categories.begin(), e->categories.end()));
  }
}

}  // namespace
}  // namespace segmentd
