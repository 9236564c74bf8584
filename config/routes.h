// output.routes: extra destinations for chosen (family, to) transitions (SPEC 3.1).
//
// One route is written `family/to=topic` (the transition goes to `topic` as well as
// output.topic) or `family/to=topic;instead` (to `topic` instead of output.topic).
// Which families and labels may be routed is declared here, once; a new segment family
// adds one line to routable_families(). Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_result.h"
#include "config/segmentd_config.h"

namespace segmentd {

struct RoutableFamily {
  std::string_view name;
  std::vector<std::string_view> labels;  // labels a transition can go *to*
};

std::span<const RoutableFamily> routable_families();

// Parses each route; the error says which route is wrong and why.
ConfigResult<std::vector<OutputRoute>> parse_routes(const std::vector<std::string>& texts);

// Splits "a, b,c" at commas, trimming spaces; "" gives no items.
std::vector<std::string> split_route_list(std::string_view text);

std::string format_route(const OutputRoute& route);

// "lifecycle (new, active, at_risk, dormant, lost)", for messages and docs.
std::string describe_routable_families();

}  // namespace segmentd
