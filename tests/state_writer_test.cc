// The state writer runs the streams' batch writes on one thread of its own, one at a
// time in the order submitted; its destructor runs every write already submitted.
#include "app/state_writer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace segmentd {
namespace {

TEST_CASE("the state writer runs writes one at a time, in the order submitted", "[state]") {
  StateWriter writer;
  std::vector<int> ran;  // touched only by the writer's thread until the futures are ready
  int running = 0;
  int most_running = 0;
  std::vector<std::future<Status>> outcomes;
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  for (int i = 0; i < 50; ++i) {
    outcomes.push_back(writer.submit([&, i] {
      most_running = std::max(most_running, ++running);
      ran_on = std::this_thread::get_id();
      if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ran.push_back(i);
      --running;
      return i == 7 ? Status::error(ErrorKind::retry, "disk full") : Status::ok();
    }));
  }
  for (int i = 0; i < 50; ++i) {
    const Status s = outcomes[static_cast<std::size_t>(i)].get();
    CHECK(s.is_ok() == (i != 7));  // each write's own outcome
  }
  REQUIRE(ran.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(ran[static_cast<std::size_t>(i)] == i);
  CHECK(most_running == 1);
  CHECK(ran_on != caller);
}

TEST_CASE("the state writer's destructor runs the writes already submitted", "[state]") {
  bool written = false;
  std::future<Status> outcome;
  {
    StateWriter writer;
    writer.submit([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return Status::ok();
    });
    outcome = writer.submit([&] {
      written = true;
      return Status::ok();
    });
  }
  CHECK(outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(written);
}

}  // namespace
}  // namespace segmentd
