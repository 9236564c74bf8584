#include "app/state_writer.h"

#include <utility>

namespace segmentd {

StateWriter::StateWriter() : thread_([this] { run(); }) {}

StateWriter::~StateWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::future<Status> StateWriter::submit(std::function<Status()> write) {
  std::packaged_task<Status()> task(std::move(write));
  std::future<Status> outcome = task.get_future();
  {
    const std::lock_guard lock(mutex_);
    writes_.push_back(std::move(task));
  }
  wake_.notify_one();
  return outcome;
}

void StateWriter::run() {
  for (;;) {
    std::packaged_task<Status()> write;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !writes_.empty(); });
      if (writes_.empty()) return;  // stopping, and every write run
      write = std::move(writes_.front());
      writes_.pop_front();
    }
    write();
  }
}

}  // namespace segmentd
