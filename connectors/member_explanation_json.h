// The JSON of a member explanation (engine/member_explanation.h), as GET
// /members/{member_id} answers and `segmentd replay --explain MEMBER` prints:
//
//   {"schema":"segmentd.member_explanation.v1","member_id":"m1","known":true,
//    "partition":3,"seq":12,"clock":1700000000000,"clock_time":"2023-11-14T22:13:20Z",
//    "figures":{"purchases":3,"refunds":0,"first_purchase":...,"last_purchase":...,
//               "net_total":"120.5","has_profile":false},
//    "families":[{"family":"lifecycle","label":"dormant",
//                 "rule":"d = 95d >= lifecycle.dormant_after 90d (...)"}],
//    "timer":{"due":...,"due_time":"...","brings":[{"family":"lifecycle","from":"dormant",
//             "to":"lost"}]} or null,
//    "pending_actions":[{"action":"follow_up","due":...,"step":1,"category":""}]}
//
// `partition` is omitted when negative (replay: one stream). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "engine/member_explanation.h"

namespace segmentd {

inline constexpr std::string_view kMemberExplanationSchema = "segmentd.member_explanation.v1";

std::string member_explanation_json(const MemberExplanation& explanation, std::int32_t partition);

}  // namespace segmentd
