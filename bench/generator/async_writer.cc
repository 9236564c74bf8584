#include "bench/generator/async_writer.h"

#include <utility>

namespace segmentd::gen {

AsyncWriter::AsyncWriter(OutputFile& out, std::size_t max_pending)
    : out_(out), max_pending_(max_pending), thread_([this] { writer_loop(); }) {}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AsyncWriter::submit(std::string&& block) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return pending_.size() < max_pending_ || error_; });
  rethrow_error();
  pending_.push_back(std::move(block));
  lock.unlock();
  changed_.notify_all();
}

std::string AsyncWriter::recycle() {
  std::lock_guard lock(mutex_);
  if (written_.empty()) return {};
  std::string block = std::move(written_.back());
  written_.pop_back();
  return block;
}

void AsyncWriter::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return (pending_.empty() && !writing_) || error_; });
  rethrow_error();
  lock.unlock();
  out_.flush();
}

void AsyncWriter::rethrow_error() {
  if (error_) std::rethrow_exception(error_);
}

void AsyncWriter::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, everything written
    std::string block = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    lock.unlock();
    changed_.notify_all();
    try {
      out_.write(block);
    } catch (...) {
      lock.lock();
      error_ = std::current_exception();
      writing_ = false;
      changed_.notify_all();
      return;
    }
    block.clear();
    lock.lock();
    written_.push_back(std::move(block));
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace segmentd::gen
