// What the observability endpoint answers, independent of the transport:
//   GET /metrics  200, the registry in text format 0.0.4
//   GET /healthz  200 "ok" (the process is alive and serving)
//   GET /readyz   200 "ok" when ready, else 503 "not ready: <reason>"
//   other paths   404;  another method on a known path: 405 (answer with Allow: GET)
// A query string is ignored. A failing render (a callback throwing) answers 500.
//
// Thread-safety: as its arguments (MetricsRegistry and Readiness are thread-safe).
#pragma once

#include <string>
#include <string_view>

#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {

struct HttpReply {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

HttpReply answer_request(std::string_view method, std::string_view target,
                         const MetricsRegistry& registry, const Readiness& readiness);

}  // namespace segmentd
