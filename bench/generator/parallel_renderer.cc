#include "bench/generator/parallel_renderer.h"

#include <algorithm>
#include <utility>

namespace segmentd::gen {
namespace {
constexpr std::size_t kBatchJobs = std::size_t{1} << 15;
constexpr std::size_t kChunkJobs = std::size_t{1} << 11;
constexpr std::size_t kMaxPendingChunks = 48;  // about 20 MB of rendered lines
}  // namespace

// Synchronisation: a chunk is claimed under mutex_, so a chunk index of
// rendering_ is handed out once per batch, and only after start_rendering() has
// published the batch. The producer touches rendering_ again only once every chunk
// is done (wait_for_rendering), so workers and producer never share a chunk.

ParallelRenderer::ParallelRenderer(const LineRenderer& renderer, OutputFile& out, unsigned threads)
    : renderer_(renderer), writer_(out, kMaxPendingChunks) {
  filling_.jobs.reserve(kBatchJobs);
  rendering_.jobs.reserve(kBatchJobs);
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ParallelRenderer::~ParallelRenderer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ParallelRenderer::add(const LineJob& job) {
  filling_.jobs.push_back(job);
  if (filling_.jobs.size() == kBatchJobs) hand_over_full_batch();
}

void ParallelRenderer::finish() {
  hand_over_full_batch();
  wait_for_rendering();
  write_and_clear(rendering_);
  writer_.finish();
}

void ParallelRenderer::hand_over_full_batch() {
  wait_for_rendering();
  std::swap(filling_, rendering_);
  start_rendering();
  write_and_clear(filling_);
}

void ParallelRenderer::wait_for_rendering() {
  render_claimed_chunks();
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [this] { return chunks_done_ == rendering_.chunks.size(); });
}

void ParallelRenderer::start_rendering() {
  {
    std::lock_guard lock(mutex_);
    rendering_.chunks.resize((rendering_.jobs.size() + kChunkJobs - 1) / kChunkJobs);
    next_chunk_ = 0;
    chunks_done_ = 0;
    ++generation_;
  }
  work_ready_.notify_all();
}

void ParallelRenderer::render_claimed_chunks() {
  for (;;) {
    std::size_t chunk = 0;
    {
      std::lock_guard lock(mutex_);
      if (next_chunk_ >= rendering_.chunks.size()) return;
      chunk = next_chunk_++;
    }
    render_chunk(chunk);
    {
      std::lock_guard lock(mutex_);
      ++chunks_done_;
    }
    work_done_.notify_all();
  }
}

void ParallelRenderer::render_chunk(std::size_t chunk) {
  std::string& bytes = rendering_.chunks[chunk];
  bytes.clear();
  const std::size_t begin = chunk * kChunkJobs;
  const std::size_t end = std::min(begin + kChunkJobs, rendering_.jobs.size());
  for (std::size_t i = begin; i < end; ++i) renderer_.render(bytes, rendering_.jobs[i]);
}

void ParallelRenderer::write_and_clear(Batch& batch) {
  for (std::string& bytes : batch.chunks) {
    writer_.submit(std::move(bytes));
    bytes = writer_.recycle();
  }
  batch.jobs.clear();
}

void ParallelRenderer::worker_loop() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    render_claimed_chunks();
  }
}

}  // namespace segmentd::gen
