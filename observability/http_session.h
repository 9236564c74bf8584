// One connection of the HttpServer (module-internal): reads a request within the
// size and time limits, answers it with answer_request(), and reads the next one
// when the client keeps the connection alive; otherwise, or on any error or timeout,
// closes the connection.
//
// Ownership: owns its socket; kept alive by its pending asynchronous operations
// (shared_from_this), so it ends when the connection does or when the io_context is
// destroyed. The context must outlive the session.
// Thread-safety: runs on the server's single io thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "observability/http_server.h"

namespace segmentd {

struct HttpSessionContext {
  const MetricsRegistry& registry;
  const Readiness& readiness;
  const HttpServerOptions& options;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpSessionContext& context);

  void start() { read_request(); }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void read_request();
  void on_request(boost::beast::error_code error);
  void on_response_written(boost::beast::error_code error);
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const HttpSessionContext& context_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Response response_;
};

}  // namespace segmentd
