// The HttpServerOptions of `segmentd run` and `demo` from the configuration: http.listen
// and the bearer token of http.auth_token_file. The token is the file's content without
// surrounding whitespace; it is never logged. An unreadable or empty file is an error
// naming the key.
#pragma once

#include "config/segmentd_config.h"
#include "engine/status.h"
#include "observability/http_server.h"

namespace segmentd {

Status http_server_options(const SegmentdConfig& config, HttpServerOptions& options);

}  // namespace segmentd
