// Renders line jobs on several threads and writes the bytes in job order.
//
// Jobs are collected into a batch; a full batch is cut into chunks that worker
// threads and the calling thread claim one at a time. While the workers render
// batch n, the caller fills batch n+1 and, once it is full, helps finish batch n,
// hands over batch n+1 and queues batch n's bytes on an AsyncWriter. The output
// is the concatenation of the jobs' renderings in the order they were added,
// whatever the thread count or timing. With `threads` <= 1 no render worker is
// started and the caller renders every chunk itself (the writer thread remains).
//
// All methods must be called from one thread (the producer). finish() must be
// called before destruction for the output to be complete; the destructor only
// stops the workers. Exceptions from writing propagate from add() and finish().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/generator/async_writer.h"
#include "bench/generator/line_renderer.h"
#include "bench/generator/output_file.h"

namespace segmentd::gen {

class ParallelRenderer {
 public:
  ParallelRenderer(const LineRenderer& renderer, OutputFile& out, unsigned threads);
  ~ParallelRenderer();
  ParallelRenderer(const ParallelRenderer&) = delete;
  ParallelRenderer& operator=(const ParallelRenderer&) = delete;

  void add(const LineJob& job);
  // Renders and writes every job added so far, then flushes the output.
  void finish();

 private:
  struct Batch {
    std::vector<LineJob> jobs;
    std::vector<std::string> chunks;  // rendered bytes, by chunk
  };

  void hand_over_full_batch();
  void wait_for_rendering();
  void start_rendering();
  void render_claimed_chunks();
  void render_chunk(std::size_t chunk);
  void write_and_clear(Batch& batch);
  void worker_loop();

  const LineRenderer& renderer_;
  AsyncWriter writer_;
  Batch filling_;
  Batch rendering_;
  std::vector<std::thread> workers_;

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::uint64_t generation_ = 0;  // counts batches handed to the workers
  std::size_t next_chunk_ = 0;    // next unclaimed chunk of rendering_
  std::size_t chunks_done_ = 0;
  bool stopping_ = false;
};

}  // namespace segmentd::gen
