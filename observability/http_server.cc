#include "observability/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <thread>

#include "observability/http_session.h"

namespace segmentd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// After a failed accept (e.g. out of file descriptors), wait before the next one
// rather than spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

// Everything the served thread uses. Member order matters: sessions, destroyed with
// the io_context's pending handlers, refer to session_context, declared first.
struct HttpServer::Runtime {
  explicit Runtime(HttpSessionContext context) : session_context(context) {}

  void accept_next();
  void retry_accept_later();
  boost::system::error_code listen(const std::string& host, std::uint16_t port);

  HttpSessionContext session_context;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry_timer{io};
  std::thread thread;
};

boost::system::error_code HttpServer::Runtime::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code error;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(
      host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, error);
  for (const auto& entry : endpoints) {
    acceptor.close(error);
    acceptor.open(entry.endpoint().protocol(), error);
    if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor.bind(entry.endpoint(), error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (!error) return error;
  }
  return error;
}

void HttpServer::Runtime::accept_next() {
  acceptor.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (error) return retry_accept_later();
    std::make_shared<HttpSession>(std::move(socket), session_context)->start();
    accept_next();
  });
}

void HttpServer::Runtime::retry_accept_later() {
  accept_retry_timer.expires_after(kAcceptRetryDelay);
  accept_retry_timer.async_wait([this](boost::system::error_code error) {
    if (!error) accept_next();
  });
}

HttpServer::HttpServer(HttpServerOptions options, const MetricsRegistry& registry,
                       const Readiness& readiness)
    : options_(std::move(options)), registry_(registry), readiness_(readiness) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  if (started_) return Status::fatal("the HTTP server was already started");
  started_ = true;
  auto runtime = std::make_unique<Runtime>(HttpSessionContext{registry_, readiness_, options_});
  const std::string address = options_.host + ":" + std::to_string(options_.port);
  if (const auto error = runtime->listen(options_.host, options_.port)) {
    return Status::fatal("cannot listen on " + address + ": " + error.message());
  }
  boost::system::error_code error;
  const tcp::endpoint bound = runtime->acceptor.local_endpoint(error);
  if (error) return Status::fatal("cannot listen on " + address + ": " + error.message());
  if (options_.auth_token.empty() && !bound.address().is_loopback()) {
    return Status::fatal("http.listen " + address +
                         " is not a loopback address: set http.auth_token_file (a file "
                         "holding a bearer token) to serve it");
  }
  port_ = bound.port();
  runtime->accept_next();
  try {
    runtime->thread = std::thread([&io = runtime->io] { io.run(); });
  } catch (const std::exception& thread_error) {
    port_ = 0;
    return Status::fatal(std::string("cannot start the HTTP thread: ") + thread_error.what());
  }
  runtime_ = std::move(runtime);
  return Status::ok();
}

void HttpServer::stop() {
  if (!runtime_) return;
  runtime_->io.stop();
  runtime_->thread.join();
  // Destroying the io_context destroys the pending handlers, hence the sessions and
  // their sockets: clients see their connections closed.
  runtime_.reset();
  port_ = 0;
}

}  // namespace segmentd
