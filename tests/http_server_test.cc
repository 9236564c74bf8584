#include "observability/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "observability/http_routes.h"

namespace segmentd {
namespace {

using namespace std::chrono_literals;

struct HttpResponse {
  int status = 0;
  std::string headers;
  std::string body;
};

// A blocking HTTP/1.1 client over a POSIX socket to 127.0.0.1, with a receive timeout
// so that a test fails instead of hanging.
class LoopbackClient {
 public:
  explicit LoopbackClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    const timeval receive_timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect");
    }
  }
  ~LoopbackClient() { ::close(fd_); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // Sends all of `text`; false when the server closed the connection first.
  bool send_text(std::string_view text) {
    while (!text.empty()) {
      const ssize_t sent = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  HttpResponse get(std::string_view path) {
    send_text("GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n\r\n");
    return read_response();
  }

  // Reads one response whose body length is given by Content-Length.
  HttpResponse read_response() {
    std::size_t header_end;
    while ((header_end = received_.find("\r\n\r\n")) == std::string::npos) receive_more();
    HttpResponse response;
    response.headers = received_.substr(0, header_end + 2);
    response.status = std::stoi(response.headers.substr(9, 3));
    const std::size_t length_at = response.headers.find("Content-Length: ");
    if (length_at == std::string::npos) throw std::runtime_error("no Content-Length");
    const auto length = std::stoul(response.headers.substr(length_at + 16));
    while (received_.size() < header_end + 4 + length) receive_more();
    response.body = received_.substr(header_end + 4, length);
    received_.erase(0, header_end + 4 + length);
    return response;
  }

  // True when the server closes the connection (end of stream or reset) before the
  // receive timeout, without sending anything more.
  bool sees_close() {
    char byte;
    const ssize_t received = ::recv(fd_, &byte, 1, 0);
    return received == 0 || (received < 0 && errno == ECONNRESET);
  }

 private:
  void receive_more() {
    char chunk[4096];
    const ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received <= 0) throw std::runtime_error("connection closed or timed out");
    received_.append(chunk, static_cast<std::size_t>(received));
  }

  int fd_;
  std::string received_;
};

HttpServerOptions loopback_options() {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  return options;
}

struct ServedRegistry {
  MetricsRegistry registry;
  Readiness readiness;
  Counter& events = registry.add_counter_family("segmentd_events_total", "Events.", {"kind"})
                        .with_labels({"purchase \"x\""});
  HttpServer server;

  explicit ServedRegistry(HttpServerOptions options = loopback_options())
      : server(std::move(options), registry, readiness) {
    const Status started = server.start();
    REQUIRE(started.is_ok());
    REQUIRE(server.port() != 0);
  }
};

TEST_CASE("http: GET /metrics answers the registry's render") {
  ServedRegistry served;
  served.events.increment(42);
  LoopbackClient client(served.server.port());
  const HttpResponse response = client.get("/metrics");
  CHECK(response.status == 200);
  CHECK_THAT(response.headers,
             Catch::Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  CHECK(response.body == served.registry.render());
  CHECK_THAT(response.body,
             Catch::Contains("segmentd_events_total{kind=\"purchase \\\"x\\\"\"} 42\n"));
  CHECK(client.get("/metrics?debug=1").body == response.body);
}

TEST_CASE("http: /healthz answers ok") {
  ServedRegistry served;
  LoopbackClient client(served.server.port());
  const HttpResponse response = client.get("/healthz");
  CHECK(response.status == 200);
  CHECK(response.body == "ok\n");
}

TEST_CASE("http: /readyz answers 503 with a reason until the app is ready") {
  ServedRegistry served;
  LoopbackClient client(served.server.port());
  HttpResponse response = client.get("/readyz");
  CHECK(response.status == 503);
  CHECK(response.body == "not ready: starting\n");
  served.readiness.set_not_ready("restoring partition 3");
  CHECK(client.get("/readyz").body == "not ready: restoring partition 3\n");
  served.readiness.set_ready();
  response = client.get("/readyz");
  CHECK(response.status == 200);
  CHECK(response.body == "ok\n");
}

TEST_CASE("http: unknown paths are 404, other methods 405") {
  ServedRegistry served;
  LoopbackClient client(served.server.port());
  CHECK(client.get("/").status == 404);
  CHECK(client.get("/metrics/extra").status == 404);
  client.send_text("POST /metrics HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
  const HttpResponse response = client.read_response();
  CHECK(response.status == 405);
  CHECK_THAT(response.headers, Catch::Contains("Allow: GET\r\n"));
  client.send_text("DELETE /nowhere HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(client.read_response().status == 404);
}

TEST_CASE("http: keep-alive serves many requests on one connection, close ends it") {
  ServedRegistry served;
  LoopbackClient client(served.server.port());
  for (int i = 0; i < 5; ++i) CHECK(client.get("/healthz").status == 200);
  // Two requests sent at once (pipelined) get two responses, in order.
  client.send_text("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(client.read_response().status == 200);
  CHECK(client.read_response().status == 404);
  client.send_text("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(client.read_response().status == 200);
  CHECK(client.sees_close());
}

TEST_CASE("http: a half-sent request does not hold up another connection") {
  ServedRegistry served;
  LoopbackClient slow(served.server.port());
  REQUIRE(slow.send_text("GET /metr"));
  LoopbackClient quick(served.server.port());
  CHECK(quick.get("/healthz").status == 200);
  REQUIRE(slow.send_text("ics HTTP/1.1\r\nHost: test\r\n\r\n"));
  CHECK(slow.read_response().status == 200);
}

TEST_CASE("http: two clients scrape at once while counters move") {
  ServedRegistry served;
  std::atomic<bool> done{false};
  std::thread engine([&] {
    while (!done.load()) served.events.increment();
  });
  std::atomic<int> ok_responses{0};
  const auto scrape = [&] {
    LoopbackClient client(served.server.port());
    for (int i = 0; i < 20; ++i) {
      if (client.get("/metrics").status == 200) ++ok_responses;
    }
  };
  std::thread first(scrape), second(scrape);
  first.join();
  second.join();
  done = true;
  engine.join();
  CHECK(ok_responses.load() == 40);
}

TEST_CASE("http: stop() closes idle connections and joins promptly") {
  ServedRegistry served;
  LoopbackClient idle(served.server.port());
  CHECK(idle.get("/healthz").status == 200);
  LoopbackClient half_sent(served.server.port());
  REQUIRE(half_sent.send_text("GET /healthz HTTP/1.1\r\n"));
  const auto before = std::chrono::steady_clock::now();
  served.server.stop();
  CHECK(std::chrono::steady_clock::now() - before < 2s);
  CHECK(served.server.port() == 0);
  CHECK(idle.sees_close());
  CHECK(half_sent.sees_close());
  served.server.stop();  // idempotent
}

TEST_CASE("http: a silent client is disconnected after the idle timeout") {
  HttpServerOptions options = loopback_options();
  options.idle_timeout = 200ms;
  ServedRegistry served(options);
  LoopbackClient silent(served.server.port());
  CHECK(silent.sees_close());
  LoopbackClient client(served.server.port());
  CHECK(client.get("/healthz").status == 200);
}

TEST_CASE("http: an oversized request is refused by closing the connection") {
  HttpServerOptions options = loopback_options();
  options.max_header_bytes = 1024;
  options.max_body_bytes = 16;
  ServedRegistry served(options);
  LoopbackClient big_header(served.server.port());
  big_header.send_text("GET /metrics HTTP/1.1\r\nX-Padding: " + std::string(4096, 'x') +
                       "\r\n\r\n");
  CHECK(big_header.sees_close());
  LoopbackClient big_body(served.server.port());
  big_body.send_text("POST /metrics HTTP/1.1\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'x'));
  CHECK(big_body.sees_close());
  LoopbackClient garbage(served.server.port());
  garbage.send_text("this is not http\r\n\r\n");
  CHECK(garbage.sees_close());
}

TEST_CASE("http: a port in use and a second start are errors, not exceptions") {
  ServedRegistry served;
  HttpServerOptions options = loopback_options();
  options.port = served.server.port();
  HttpServer second(options, served.registry, served.readiness);
  const Status status = second.start();
  CHECK_FALSE(status.is_ok());
  CHECK_THAT(status.message(), Catch::StartsWith("cannot listen on 127.0.0.1:"));
  CHECK(second.port() == 0);
  CHECK_FALSE(served.server.start().is_ok());
}

TEST_CASE("http: a failing callback answers 500 without stopping the server") {
  MetricsRegistry registry;
  Readiness readiness;
  CallbackRegistration broken =
      registry.add_callback_family("segmentd_broken", "Broken.", MetricType::gauge, {"a"}, [] {
        return std::vector<CallbackSample>{{{}, 1}};
      });
  const HttpReply reply = answer_request("GET", "/metrics", registry, readiness);
  CHECK(reply.status == 500);
  CHECK_THAT(reply.body, Catch::StartsWith("cannot render metrics: "));
}

TEST_CASE("http: a bearer token guards everything but /healthz and /readyz") {
  MetricsRegistry registry;
  Readiness readiness;
  readiness.set_ready();
  const MemberLookup lookup = [](const std::string& id) {
    return HttpReply{200, "application/json", "{\"member_id\":\"" + id + "\"}"};
  };
  const auto ask = [&](std::string_view target, std::string_view authorization) {
    return answer_request("GET", target, registry, readiness, authorization, "s3cret", &lookup);
  };
  CHECK(ask("/metrics", "").status == 401);
  CHECK(ask("/metrics", "Bearer wrong!").status == 401);
  CHECK(ask("/metrics", "Bearer s3cre").status == 401);
  CHECK(ask("/metrics", "Basic s3cret").status == 401);
  CHECK(ask("/members/m1", "").status == 401);
  CHECK(ask("/metrics", "Bearer s3cret").status == 200);
  CHECK(ask("/healthz", "").status == 200);
  CHECK(ask("/readyz", "").status == 200);
  const HttpReply member = ask("/members/a%20b%2F1?x=1", "Bearer s3cret");
  CHECK(member.status == 200);
  CHECK(member.body == "{\"member_id\":\"a b/1\"}");
  CHECK(ask("/members/bad%2", "Bearer s3cret").status == 400);
  CHECK(ask("/members/", "Bearer s3cret").status == 404);
  // Without a token nothing is asked; without a lookup /members is not found.
  CHECK(answer_request("GET", "/metrics", registry, readiness).status == 200);
  CHECK(answer_request("GET", "/members/m1", registry, readiness).status == 404);
}

TEST_CASE("http: a non-loopback address needs a token") {
  MetricsRegistry registry;
  Readiness readiness;
  HttpServerOptions options;
  options.host = "0.0.0.0";
  options.port = 0;
  HttpServer open(options, registry, readiness);
  const Status refused = open.start();
  CHECK_FALSE(refused.is_ok());
  CHECK_THAT(refused.message(), Catch::Contains("http.auth_token_file"));
  options.auth_token = "s3cret";
  HttpServer guarded(options, registry, readiness);
  CHECK(guarded.start().is_ok());
}

TEST_CASE("http: percent_decode") {
  CHECK(percent_decode("m%41x") == "mAx");
  CHECK(percent_decode("plain") == "plain");
  CHECK(percent_decode("%zz").empty());
  CHECK(percent_decode("end%4").empty());
}

}  // namespace
}  // namespace segmentd
