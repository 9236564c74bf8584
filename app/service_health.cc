#include "app/service_health.h"

namespace segmentd {

void ServiceHealth::set_reachable(std::string_view client, bool reachable) {
  if (reachable) {
    if (auto it = unreachable_.find(client); it != unreachable_.end()) unreachable_.erase(it);
  } else {
    unreachable_.emplace(client);
  }
}

std::optional<std::string> ServiceHealth::not_ready_reason() const {
  if (store_failing_) return "state store commits failing";
  if (brokers_unreachable()) return "kafka broker unreachable";
  if (restoring_) return "restoring partition " + std::to_string(*restoring_);
  if (!assigned_) return "partitions not assigned";
  return std::nullopt;
}

}  // namespace segmentd
