#include "observability/http_session.h"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <utility>

#include "observability/http_routes.h"

namespace segmentd {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

http::response<http::string_body> make_response(const http::request<http::string_body>& request,
                                                HttpReply reply) {
  http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                             request.version()};
  response.set(http::field::server, "segmentd");
  response.set(http::field::content_type, reply.content_type);
  if (reply.status == 405) response.set(http::field::allow, "GET");
  if (reply.status == 401) response.set(http::field::www_authenticate, "Bearer");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(reply.body);
  response.prepare_payload();
  return response;
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, const HttpSessionContext& context)
    : stream_(std::move(socket)), context_(context) {}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->header_limit(context_.options.max_header_bytes);
  parser_->body_limit(context_.options.max_body_bytes);
  stream_.expires_after(context_.options.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code error, std::size_t) {
                     self->on_request(error);
                   });
}

void HttpSession::on_request(beast::error_code error) {
  if (error) return close();
  const Request& request = parser_->get();
  response_ = make_response(
      request,
      answer_request(to_std(request.method_string()), to_std(request.target()), context_.registry,
                     context_.readiness, to_std(request[http::field::authorization]),
                     context_.options.auth_token, &context_.options.member_lookup));
  stream_.expires_after(context_.options.idle_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                      self->on_response_written(write_error);
                    });
}

void HttpSession::on_response_written(beast::error_code error) {
  if (error || response_.need_eof()) return close();
  read_request();
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace segmentd
