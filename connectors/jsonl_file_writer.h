// An append-only JSON Lines output file whose length is part of the checkpoint: on
// resume it is cut back to the committed length, so output written after the last
// commit (and about to be produced again) is not duplicated.
//
// Lines are buffered in memory and written in large blocks; sync() writes everything
// and fdatasync()s, and must precede the state commit that records length().
// "-" writes to standard output (which cannot be cut back: resume then fails).
// A write error (a full disk, say) is final: every later call returns it and nothing
// more is written, so a failing device is not retried line by line and the file keeps
// what was written before; the run must stop without committing, and a resumed run
// cuts the file back to its committed length.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace segmentd {

class JsonlFileWriter {
 public:
  // Opens `path`, creating it, and cuts it to `keep_bytes` (0 for a fresh run).
  static Status open(const std::string& path, std::uint64_t keep_bytes,
                     std::unique_ptr<JsonlFileWriter>& writer);
  ~JsonlFileWriter();
  JsonlFileWriter(const JsonlFileWriter&) = delete;
  JsonlFileWriter& operator=(const JsonlFileWriter&) = delete;

  // The buffer to append one line's JSON to; call end_line() after.
  std::string& line_buffer() { return buffer_; }
  Status end_line();
  // Writes buffered lines and flushes them to disk.
  Status sync();
  // Bytes written so far, buffered included.
  std::uint64_t length() const { return written_ + buffer_.size(); }

 private:
  JsonlFileWriter(int fd, bool owns_fd, std::uint64_t written, std::string path);
  Status write_buffer();
  Status fail(const std::string& what);

  int fd_;
  bool owns_fd_;
  std::uint64_t written_;
  std::string path_;
  std::string buffer_;
  Status failure_ = Status::ok();
};

}  // namespace segmentd
