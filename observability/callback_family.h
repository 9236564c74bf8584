// A counter or gauge family whose samples come from a function called at each scrape,
// for figures owned elsewhere (RocksDB properties, consumer lag per partition, /proc).
// Registered with MetricsRegistry::add_callback_family, which serves it as a
// prometheus::Collectable (callback_collectable.h).
//
// The callback runs on the scraping thread (the HTTP server's), with the registry's
// lock held: it must be thread-safe with respect to its owner, quick, and must not
// call into the MetricsRegistry. A sample with the wrong number of label values, or two
// samples with the same ones, is a bug in the callback and fails the scrape.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace segmentd {

enum class MetricType { counter, gauge };

struct CallbackSample {
  std::vector<std::string> label_values;  // one per label name of the family, in order
  double value = 0;
};

using ScrapeCallback = std::function<std::vector<CallbackSample>()>;

}  // namespace segmentd
