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

bool authorized(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return false;
  const std::string_view given = authorization.substr(kBearer.size());
  // Constant time in the token's content: every byte is compared.
  unsigned char difference = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char other = i < given.size() ? given[i] : '\0';
    difference |= static_cast<unsigned char>(other ^ token[i]);
  }
  return difference == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpReply answer_member(std::string_view encoded_id, const MemberLookup* lookup) {
  if (lookup == nullptr || !*lookup) return plain_text(404, "not found\n");
  const std::string id = percent_decode(encoded_id);
  if (id.empty()) return plain_text(400, "bad member id\n");
  try {
    return (*lookup)(id);
  } catch (const std::exception& error) {
    return plain_text(500, std::string("cannot explain the member: ") + error.what() + "\n");
  }
}

HttpReply answer_readiness(const Readiness& readiness) {
  const std::optional<std::string> reason = readiness.not_ready_reason();
  if (reason) return plain_text(503, "not ready: " + *reason + "\n");
  return plain_text(200, "ok\n");
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return {};
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return {};
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

HttpReply answer_request(std::string_view method, std::string_view target,
                         const MetricsRegistry& registry, const Readiness& readiness,
                         std::string_view authorization, std::string_view auth_token,
                         const MemberLookup* member_lookup) {
  constexpr std::string_view kMembers = "/members/";
  const std::string_view path = target.substr(0, target.find('?'));
  const bool member = path.starts_with(kMembers) && path.size() > kMembers.size();
  const bool known = member || path == "/metrics" || path == "/healthz" || path == "/readyz";
  if (!known) return plain_text(404, "not found\n");
  const bool open = path == "/healthz" || path == "/readyz";
  if (!open && !auth_token.empty() && !authorized(authorization, auth_token)) {
    return plain_text(401, "a bearer token is required (http.auth_token_file)\n");
  }
  if (method != "GET") return plain_text(405, "method not allowed\n");
  if (member) return answer_member(path.substr(kMembers.size()), member_lookup);
  if (path == "/metrics") return answer_metrics(registry);
  if (path == "/readyz") return answer_readiness(readiness);
  return plain_text(200, "ok\n");
}

}  // namespace segmentd
