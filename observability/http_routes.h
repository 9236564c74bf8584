// What the observability endpoint answers, independent of the transport:
//   GET /metrics             200, the registry in text format 0.0.4
//   GET /healthz             200 "ok" (the process is alive and serving)
//   GET /readyz              200 "ok" when ready, else 503 "not ready: <reason>"
//   GET /members/{member_id} what the MemberLookup answers (JSON; percent-decoded id);
//                            404 when there is no lookup, 400 for a bad escape
//   other paths   404;  another method on a known path: 405 (answer with Allow: GET)
// A query string is ignored. A failing render (a callback throwing) answers 500.
//
// Bearer-token auth: with a non-empty `auth_token`, every path but /healthz and /readyz
// needs "Authorization: Bearer <token>" (compared in constant time), else 401 with
// WWW-Authenticate: Bearer.
//
// Thread-safety: as its arguments (MetricsRegistry and Readiness are thread-safe; the
// lookup is called on the calling thread and must be thread-safe itself).
#pragma once

#include <functional>
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

// Answers GET /members/{member_id}; gets the decoded id.
using MemberLookup = std::function<HttpReply(const std::string& member_id)>;

HttpReply answer_request(std::string_view method, std::string_view target,
                         const MetricsRegistry& registry, const Readiness& readiness,
                         std::string_view authorization = {}, std::string_view auth_token = {},
                         const MemberLookup* member_lookup = nullptr);

// "%41b" -> "Ab"; empty on a bad escape (a member id is never empty).
std::string percent_decode(std::string_view text);

}  // namespace segmentd
