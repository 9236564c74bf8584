#include "config/routes.h"

#include <algorithm>

#include "config/value_text.h"
#include "engine/families/family_rules.h"

namespace segmentd {
namespace {

constexpr std::string_view kInsteadFlag = ";instead";

// Every label but `none` of every family.
std::vector<RoutableFamily> all_families() {
  std::vector<RoutableFamily> families;
  for (FamilyId f : kAllFamilies) {
    const auto labels = family_labels(f);
    families.push_back({family_name(f), {labels.begin() + 1, labels.end()}});
  }
  return families;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto item : items) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

// Why `route` is not valid, or "" when it is.
std::string route_problem(const OutputRoute& route) {
  const auto families = routable_families();
  const auto family = std::ranges::find(families, route.family, &RoutableFamily::name);
  if (family == families.end()) return "unknown family \"" + route.family + "\"";
  if (std::ranges::count(family->labels, route.to_label) == 0) {
    return "family " + route.family + " has no label \"" + route.to_label + "\"";
  }
  if (!is_topic_name(route.topic)) return "\"" + route.topic + "\" is not a topic name";
  return "";
}

ConfigResult<OutputRoute> parse_route(std::string_view text) {
  OutputRoute route;
  route.instead = text.ends_with(kInsteadFlag);
  if (route.instead) text.remove_suffix(kInsteadFlag.size());
  const auto slash = text.find('/');
  const auto equals = text.find('=');
  if (slash == std::string_view::npos || equals == std::string_view::npos || equals < slash) {
    return ConfigResult<OutputRoute>::failure("is not family/to=topic[;instead]");
  }
  route.family = text.substr(0, slash);
  route.to_label = text.substr(slash + 1, equals - slash - 1);
  route.topic = text.substr(equals + 1);
  if (auto problem = route_problem(route); !problem.empty()) {
    return ConfigResult<OutputRoute>::failure(std::move(problem));
  }
  return route;
}

}  // namespace

std::span<const RoutableFamily> routable_families() {
  static const std::vector<RoutableFamily> families = all_families();
  return families;
}

ConfigResult<std::vector<OutputRoute>> parse_routes(const std::vector<std::string>& texts) {
  std::vector<OutputRoute> routes;
  for (const auto& text : texts) {
    auto route = parse_route(text);
    if (!route.ok()) {
      return ConfigResult<std::vector<OutputRoute>>::failure("route \"" + text + "\" " +
                                                             route.error());
    }
    if (std::ranges::count(routes, route.value()) > 0) {
      return ConfigResult<std::vector<OutputRoute>>::failure("route \"" + text +
                                                             "\" is listed twice");
    }
    routes.push_back(std::move(route).value());
  }
  return routes;
}

std::vector<std::string> split_route_list(std::string_view text) {
  std::vector<std::string> items;
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    items.emplace_back(trim(text.substr(0, comma)));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return items;
}

std::string format_route(const OutputRoute& route) {
  return route.family + "/" + route.to_label + "=" + route.topic +
         (route.instead ? std::string(kInsteadFlag) : "");
}

std::string describe_routable_families() {
  std::vector<std::string> parts;
  for (const auto& family : routable_families()) {
    parts.push_back(std::string(family.name) + " (" + join(family.labels) + ")");
  }
  return join(std::vector<std::string_view>(parts.begin(), parts.end()));
}

}  // namespace segmentd
