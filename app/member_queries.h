// Hands GET /members/{member_id} from the HTTP thread to the engine thread, which owns
// member state: ask() queues the question and waits; the engine loop calls
// answer_pending() every iteration and answers on its own thread. A question not
// answered within the timeout (the loop busy in a long commit), or asked after close(),
// gets 503.
//
// Ownership: must outlive the HttpServer whose lookup calls ask().
// Thread-safety: ask() from any thread; answer_pending() and close() from the engine
// (owning) thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>

#include "observability/http_routes.h"

namespace segmentd {

class MemberQueries {
 public:
  using Answer = std::function<HttpReply(const std::string& member_id)>;

  HttpReply ask(const std::string& member_id, std::chrono::milliseconds timeout);
  void answer_pending(const Answer& answer);
  void close();

 private:
  struct Question {
    std::string member_id;
    std::promise<HttpReply> reply;
  };

  std::mutex mutex_;  // guards pending_ and closed_
  std::deque<std::shared_ptr<Question>> pending_;
  bool closed_ = false;
};

}  // namespace segmentd
