// Reads JSON Lines input (a file or standard input) in large chunks and hands out one
// line at a time, without copying, with its 1-based line number and the byte offset
// just past it (the resume position). "\n" and "\r\n" endings are both accepted; a
// last line without an ending is still a line.
//
// Memory per line is bounded: of a line longer than `max_line_bytes` only the first
// max_line_bytes bytes are kept (the rest is read and dropped up to the next newline),
// so one huge line (a newline-free file, say) costs no more than that.
//
// Not thread-safe. A line's view is valid until the next call to next().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace segmentd {

struct InputLine {
  std::string_view text;
  std::uint64_t number = 0;      // 1-based line number in the input
  std::uint64_t end_offset = 0;  // byte offset just past the line and its ending
  // Bytes of the line past max_line_bytes, dropped (0: `text` is the whole line).
  std::uint64_t dropped_bytes = 0;
};

class JsonlReader {
 public:
  // `path` "-" reads standard input.
  static Status open(const std::string& path, std::size_t max_line_bytes,
                     std::unique_ptr<JsonlReader>& reader);
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  // Continues after `offset` bytes and `line` lines (a position next() returned):
  // seeks when the input is a regular file, reads and discards otherwise.
  Status skip_to(std::uint64_t offset, std::uint64_t line);

  // The next line; false at the end of input or on a read error (see status()).
  bool next(InputLine& line);
  const Status& status() const { return status_; }

 private:
  JsonlReader(int fd, bool owns_fd, std::size_t max_line_bytes);
  bool fill();
  bool next_long_line(InputLine& line);

  int fd_;
  bool owns_fd_;
  std::size_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte in buffer_
  std::size_t end_ = 0;    // one past the last valid byte in buffer_
  bool eof_ = false;
  std::uint64_t offset_ = 0;  // input offset of buffer_[begin_]
  std::uint64_t line_number_ = 0;
  Status status_ = Status::ok();
};

}  // namespace segmentd
