// The HTTP endpoint of SPEC 8 (/metrics, /healthz, /readyz; see http_routes.h), served
// on its own thread with Boost.Asio/Beast. This module is the only one that links
// Boost.Asio/Beast; this header does not include them.
//
// HTTP/1.1 with keep-alive. Connections are served asynchronously, so a slow or
// silent client does not hold up others; a connection idle (or a request or reply
// taking) longer than idle_timeout is closed, and so is one whose request header or
// body exceeds its limit or does not parse.
//
// Ownership: the server reads the registry and readiness it is given; both must
// outlive it. Thread-safety: start(), port() and stop() are called by the owning
// thread; the served thread only reads the registry and readiness.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/status.h"
#include "observability/http_routes.h"
#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {

struct HttpServerOptions {
  std::string host = "0.0.0.0";  // an address or a name to resolve
  std::uint16_t port = 9464;     // 0: an ephemeral port, see HttpServer::port()
  std::chrono::milliseconds idle_timeout{30'000};
  std::uint32_t max_header_bytes = 8 * 1024;
  std::uint64_t max_body_bytes = 1024;
  // Non-empty: the bearer token clients must send (http_routes.h). Without one, start()
  // refuses an address that is not loopback.
  std::string auth_token;
  // GET /members/{id}; empty: 404. Called on the server's one thread, which it holds
  // until it answers: keep it bounded (segmentd's waits 5 s at most for the engine).
  MemberLookup member_lookup;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const MetricsRegistry& registry,
             const Readiness& readiness);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then serves on a new thread. An unusable address, a port in use,
  // a non-loopback address without options.auth_token or a second start() is returned
  // as an error; nothing throws.
  Status start();
  // The port listened on (the chosen one when options.port is 0); 0 when not started.
  std::uint16_t port() const { return port_; }
  // Stops serving: closes the listener and every connection, and joins the thread.
  // Replies in flight are dropped. Idempotent; the server cannot be restarted.
  void stop();

 private:
  struct Runtime;

  HttpServerOptions options_;
  const MetricsRegistry& registry_;
  const Readiness& readiness_;
  std::unique_ptr<Runtime> runtime_;
  std::uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace segmentd
