#include "observability/http_routes.h"

#include <exception>

namespace segmentd {

namespace {

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

HttpReply plain_text(unsigned status, std::string body) {
  return HttpReply{status, std::string(kPlainText), std::move(body)};
}

HttpReply answer_metrics(const MetricsRegistry& registry) {
  try {
    return HttpReply{200, std::string(kMetricsContentType), registry.render()};
  } catch (const std::exception& error) {
    return plain_text(500, std::string("cannot render metrics: ") + error.what() + "\n");
  }
}

HttpReply answer_readiness(const Readiness& readiness) {
  const std::optional<std::string> reason = readiness.not_ready_reason();
  if (reason) return plain_text(503, "not ready: " + *reason + "\n");
  return plain_text(200, "ok\n");
}

}  // namespace

HttpReply answer_request(std::string_view method, std::string_view target,
                         const MetricsRegistry& registry, const Readiness& readiness) {
  const std::string_view path = target.substr(0, target.find('?'));
  const bool known = path == "/metrics" || path == "/healthz" || path == "/readyz";
  if (!known) return plain_text(404, "not found\n");
  if (method != "GET") return plain_text(405, "method not allowed\n");
  if (path == "/metrics") return answer_metrics(registry);
  if (path == "/readyz") return answer_readiness(readiness);
  return plain_text(200, "ok\n");
}

}  // namespace segmentd
