#include "app/http_options.h"

#include <fstream>
#include <sstream>

namespace segmentd {

Status http_server_options(const SegmentdConfig& config, HttpServerOptions& options) {
  options.host = config.http.host;
  options.port = config.http.port;
  const std::string& path = config.http_auth_token_file;
  if (path.empty()) return Status::ok();
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) return Status::fatal("http.auth_token_file " + path + " cannot be read");
  std::string token = text.str();
  constexpr std::string_view kSpace = " \t\r\n";
  token.erase(0, token.find_first_not_of(kSpace));
  token.erase(token.find_last_not_of(kSpace) + 1);
  if (token.empty()) return Status::fatal("http.auth_token_file " + path + " holds no token");
  options.auth_token = std::move(token);
  return Status::ok();
}

}  // namespace segmentd
