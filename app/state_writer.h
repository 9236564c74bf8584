// Runs the state store's batch writes off the engine thread (issue 10: a commit does not
// stop the processing, partition_stream.h), one at a time in the order submitted, on one
// thread that lives as long as the writer. A thread per write (std::async) cost its
// creation and the allocator's per-thread cache each time (1.8 % of a live run's perf
// samples, docs/PERFORMANCE.md), and the store serialises its commits anyway.
//
// submit() may be called from any thread. The destructor runs every write submitted,
// then joins the thread: whoever owns a write's inputs waits for its future first.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "engine/status.h"

namespace segmentd {

class StateWriter {
 public:
  StateWriter();
  ~StateWriter();
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Queues `write`; its future holds the write's outcome.
  std::future<Status> submit(std::function<Status()> write);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<Status()>> writes_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace segmentd
