// Why `segmentd run` is not ready (SPEC 8), from the conditions the service loop tracks:
// its partitions assigned and restored, the Kafka clients reaching a broker, the state
// store accepting commits. The most pressing condition is the reason reported. A stuck
// loop is detected apart from this, by Readiness' heartbeat.
//
// Pure; not thread-safe (owned by the engine thread).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace segmentd {

class ServiceHealth {
 public:
  void set_assigned(bool assigned) { assigned_ = assigned; }
  // Per Kafka client ("consumer", "producer"); a client not heard of counts as reachable.
  void set_reachable(std::string_view client, bool reachable);
  void set_store_failing(bool failing) { store_failing_ = failing; }
  // The partition whose state is being restored now, if any.
  void set_restoring(std::optional<std::int32_t> partition) { restoring_ = partition; }

  // Whether any client reaches no broker.
  bool brokers_unreachable() const { return !unreachable_.empty(); }
  // nullopt when ready.
  std::optional<std::string> not_ready_reason() const;

 private:
  bool assigned_ = false;
  bool store_failing_ = false;
  std::optional<std::int32_t> restoring_;
  std::set<std::string, std::less<>> unreachable_;
};

}  // namespace segmentd
