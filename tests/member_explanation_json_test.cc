#include "connectors/member_explanation_json.h"

#include <catch2/catch.hpp>

namespace segmentd {
namespace {

TEST_CASE("explanation json: every field, escaped, with the owning partition") {
  MemberExplanation e;
  e.member_id = "m\"1";
  e.known = true;
  e.seq = 12;
  e.now = EpochMs{86'400'000};
  e.figures.purchases = 1;
  e.figures.first_purchase = EpochMs{0};
  e.figures.last_purchase = EpochMs{0};
  e.figures.net_total = Money{120'500};
  e.families = {{"lifecycle", "new", "n = 1, d = 1d < lifecycle.dormant_after 90d"}};
  e.timer = EpochMs{90 * 86'400'000LL};
  e.timer_brings = {{"lifecycle", "new", "dormant"}};
  CHECK(
      member_explanation_json(e, 3) ==
      "{\"schema\":\"segmentd.member_explanation.v1\",\"member_id\":\"m\\\"1\",\"known\":true,"
      "\"partition\":3,\"seq\":12,\"clock\":86400000,\"clock_time\":\"1970-01-02T00:00:00.000Z\","
      "\"figures\":{\"purchases\":1,\"refunds\":0,\"first_purchase\":0,"
      "\"first_purchase_time\":\"1970-01-01T00:00:00.000Z\",\"last_purchase\":0,"
      "\"last_purchase_time\":\"1970-01-01T00:00:00.000Z\",\"net_total\":\"120.5\","
      "\"has_profile\":false},\"families\":[{\"family\":\"lifecycle\",\"label\":\"new\","
      "\"rule\":\"n = 1, d = 1d < lifecycle.dormant_after 90d\"}],\"timer\":{\"due\":"
      "7776000000,\"due_time\":\"1970-04-01T00:00:00.000Z\",\"brings\":[{\"family\":\"lifecycle\","
      "\"from\":\"new\",\"to\":\"dormant\"}]},\"pending_actions\":[]}");
}

TEST_CASE("explanation json: no partition, no timer, no purchases") {
  MemberExplanation e;
  e.member_id = "x";
  const std::string json = member_explanation_json(e, -1);
  CHECK(json.find("\"partition\"") == std::string::npos);
  CHECK(json.find("\"timer\":null") != std::string::npos);
  CHECK(json.find("first_purchase") == std::string::npos);
}

}  // namespace
}  // namespace segmentd
