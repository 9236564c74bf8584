// A counter or gauge family whose samples come from a function called at each scrape,
// for figures owned elsewhere (RocksDB properties, consumer lag per partition).
//
// The callback runs on the scraping thread (the HTTP server's), with the registry's
// lock held: it must be thread-safe with respect to its owner, quick, and must not
// call into the MetricsRegistry. Samples are rendered sorted by label values.
//
// Ownership: created and owned by a MetricsRegistry; removed when the
// CallbackRegistration returned for it is destroyed.
// Thread-safety: render() may be called from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "observability/metric_family.h"

namespace segmentd {

struct CallbackSample {
  std::vector<std::string> label_values;  // one per label name of the family, in order
  double value = 0;
};

using ScrapeCallback = std::function<std::vector<CallbackSample>()>;

class CallbackFamily final : public MetricFamily {
 public:
  // `type` is counter or gauge (std::invalid_argument for histogram).
  CallbackFamily(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names, ScrapeCallback callback);

 private:
  // Throws std::invalid_argument when a sample has the wrong number of label values or
  // two samples have the same ones: a bug in the callback, which fails the scrape.
  void render_samples(std::string& out) const override;

  ScrapeCallback callback_;
};

}  // namespace segmentd
