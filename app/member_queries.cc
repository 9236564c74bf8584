#include "app/member_queries.h"

#include <algorithm>
#include <exception>

namespace segmentd {

namespace {

HttpReply unavailable(std::string why) {
  return HttpReply{503, "text/plain; charset=utf-8", std::move(why) + "\n"};
}

}  // namespace

HttpReply MemberQueries::ask(const std::string& member_id, std::chrono::milliseconds timeout) {
  auto question = std::make_shared<Question>();
  question->member_id = member_id;
  std::future<HttpReply> reply = question->reply.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closed_) return unavailable("the service is stopping");
    pending_.push_back(question);
  }
  if (reply.wait_for(timeout) == std::future_status::ready) return reply.get();
  std::lock_guard lock(mutex_);
  std::erase(pending_, question);
  return unavailable("the engine did not answer in time; try again");
}

void MemberQueries::answer_pending(const Answer& answer) {
  std::deque<std::shared_ptr<Question>> questions;
  {
    std::lock_guard lock(mutex_);
    questions.swap(pending_);
  }
  for (const auto& question : questions) {
    try {
      question->reply.set_value(answer(question->member_id));
    } catch (const std::exception& error) {
      question->reply.set_value(
          HttpReply{500, "text/plain; charset=utf-8",
                    std::string("cannot explain the member: ") + error.what() + "\n"});
    }
  }
}

void MemberQueries::close() {
  std::deque<std::shared_ptr<Question>> questions;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    questions.swap(pending_);
  }
  for (const auto& question : questions) {
    question->reply.set_value(unavailable("the service is stopping"));
  }
}

}  // namespace segmentd
