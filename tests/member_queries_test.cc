#include "app/member_queries.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

namespace segmentd {
namespace {

using namespace std::chrono_literals;

TEST_CASE("member queries: the owning thread answers what another thread asks") {
  MemberQueries queries;
  std::atomic<bool> done{false};
  HttpReply reply;
  std::thread asker([&] {
    reply = queries.ask("m-1", 10s);
    done = true;
  });
  while (!done) {
    queries.answer_pending([](const std::string& id) {
      return HttpReply{200, "application/json", "{\"member_id\":\"" + id + "\"}"};
    });
    std::this_thread::sleep_for(1ms);
  }
  asker.join();
  CHECK(reply.status == 200);
  CHECK(reply.body == "{\"member_id\":\"m-1\"}");
}

TEST_CASE("member queries: unanswered in time, throwing, or closed") {
  MemberQueries queries;
  CHECK(queries.ask("m-1", 20ms).status == 503);  // nobody answers
  std::atomic<bool> done{false};
  HttpReply reply;
  std::thread asker([&] {
    reply = queries.ask("m-2", 10s);
    done = true;
  });
  while (!done) {
    queries.answer_pending([](const std::string&) -> HttpReply { throw std::runtime_error("x"); });
    std::this_thread::sleep_for(1ms);
  }
  asker.join();
  CHECK(reply.status == 500);
  queries.close();
  CHECK(queries.ask("m-3", 10s).status == 503);
}

}  // namespace
}  // namespace segmentd
