// Writes blocks of bytes to an OutputFile on a thread of its own, in submission
// order, so that producing and rendering lines overlap with the write system calls.
//
// At most `max_pending` blocks wait to be written; submit() blocks beyond that
// (back-pressure keeps memory bounded). Written blocks are cleared and handed back
// through recycle() so their capacity is reused. A write error stops the writer;
// it is rethrown from the next submit() or from finish(). finish() writes
// everything submitted, flushes the file and must be called before destruction
// for the output to be complete. submit/recycle/finish: one producer thread only.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/generator/output_file.h"

namespace segmentd::gen {

class AsyncWriter {
 public:
  AsyncWriter(OutputFile& out, std::size_t max_pending);
  ~AsyncWriter();
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  void submit(std::string&& block);
  // An empty string, with the capacity of a written block when one is available.
  std::string recycle();
  void finish();

 private:
  void writer_loop();
  void rethrow_error();

  OutputFile& out_;
  const std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pending_;
  std::vector<std::string> written_;
  bool writing_ = false;  // the writer holds a block outside pending_
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace segmentd::gen
