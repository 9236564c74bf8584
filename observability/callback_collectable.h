// Module-internal: a callback family (callback_family.h) as a prometheus::Collectable,
// collected by MetricsRegistry::render().
// Thread-safety: Collect() may be called from any thread; it calls the callback.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "observability/callback_family.h"

namespace segmentd {

class CallbackCollectable final : public prometheus::Collectable {
 public:
  CallbackCollectable(std::string name, std::string help, MetricType type,
                      std::vector<std::string> label_names, ScrapeCallback callback);

  // One family; samples sorted by label values. Throws std::invalid_argument on a
  // sample with the wrong number of label values or repeated label values.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
  ScrapeCallback callback_;
};

}  // namespace segmentd
