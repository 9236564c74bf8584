#include "connectors/jsonl_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace segmentd {

namespace {
constexpr std::size_t kChunkBytes = 4u << 20;
}

JsonlReader::JsonlReader(int fd, bool owns_fd, std::size_t max_line_bytes)
    : fd_(fd), owns_fd_(owns_fd), max_line_bytes_(max_line_bytes), buffer_(kChunkBytes) {}

JsonlReader::~JsonlReader() {
  if (owns_fd_) ::close(fd_);
}

Status JsonlReader::open(const std::string& path, std::size_t max_line_bytes,
                         std::unique_ptr<JsonlReader>& reader) {
  if (path == "-") {
    reader.reset(new JsonlReader(STDIN_FILENO, false, max_line_bytes));
    return Status::ok();
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::fatal("cannot open input " + path + ": " + std::strerror(errno));
  reader.reset(new JsonlReader(fd, true, max_line_bytes));
  return Status::ok();
}

Status JsonlReader::skip_to(std::uint64_t offset, std::uint64_t line) {
  struct stat info {};
  if (::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode)) {
    if (static_cast<std::uint64_t>(info.st_size) < offset) {
      return Status::fatal(
          "the input is shorter than the position committed in state.dir: "
          "it is not the input this state was built from");
    }
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      return Status::fatal(std::string("cannot seek in the input: ") + std::strerror(errno));
    }
    begin_ = end_ = 0;
    offset_ = offset;
    line_number_ = line;
    return Status::ok();
  }
  InputLine skipped;
  while (line_number_ < line && next(skipped)) {
  }
  if (!status_.is_ok()) return status_;
  if (line_number_ < line || offset_ != offset) {
    return Status::fatal("the input ended before the position committed in state.dir");
  }
  return Status::ok();
}

// Moves unread bytes to the front and reads more; grows the buffer for long lines.
bool JsonlReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    status_ = Status::fatal(std::string("reading the input failed: ") + std::strerror(errno));
    eof_ = true;
    return false;
  }
}

bool JsonlReader::next(InputLine& line) {
  line.dropped_bytes = 0;
  std::size_t scanned = begin_;
  for (;;) {
    const char* start = buffer_.data() + scanned;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - scanned));
    if (newline != nullptr || (eof_ && end_ > begin_)) {
      const std::size_t stop = newline ? static_cast<std::size_t>(newline - buffer_.data()) : end_;
      const std::size_t raw = stop - begin_;
      std::size_t length = raw;
      const std::size_t consumed = length + (newline ? 1 : 0);
      if (length > 0 && buffer_[begin_ + length - 1] == '\r') --length;
      if (length > max_line_bytes_) {
        // Cut as next_long_line() cuts it: a line comes out the same whether or not the
        // buffer happened to hold all of it (a resumed replay reads from another offset).
        line.dropped_bytes = raw - max_line_bytes_;
        length = max_line_bytes_;
      }
      line.text = std::string_view(buffer_.data() + begin_, length);
      line.number = ++line_number_;
      offset_ += consumed;
      line.end_offset = offset_;
      begin_ += consumed;
      return true;
    }
    // One byte of slack: a "\r" of a line of exactly max_line_bytes may be read
    // before its "\n".
    if (end_ - begin_ > max_line_bytes_ + 1) return next_long_line(line);
    scanned = end_ - begin_;
    if (!fill()) {
      if (end_ > begin_) continue;  // last line without a newline
      return false;
    }
    scanned += begin_;
  }
}

// The line at begin_ is longer than max_line_bytes_ and has no newline in the buffer:
// keeps its first max_line_bytes_ bytes at the front of the buffer and reads on behind
// them, dropping what is read, up to the newline (kept what follows it) or the end.
bool JsonlReader::next_long_line(InputLine& line) {
  const std::size_t keep = max_line_bytes_;
  std::memmove(buffer_.data(), buffer_.data() + begin_, keep);
  std::uint64_t dropped = end_ - begin_ - keep;
  begin_ = 0;
  end_ = keep;
  if (buffer_.size() < keep + kChunkBytes) buffer_.resize(keep + kChunkBytes);
  bool ended_by_newline = false;
  while (!eof_) {
    const ssize_t n = ::read(fd_, buffer_.data() + keep, buffer_.size() - keep);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = Status::fatal(std::string("reading the input failed: ") + std::strerror(errno));
      eof_ = true;
      return false;
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    const char* start = buffer_.data() + keep;
    const auto* newline =
        static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(n)));
    if (newline == nullptr) {
      dropped += static_cast<std::size_t>(n);
      continue;
    }
    const auto before = static_cast<std::size_t>(newline - start);
    const std::size_t rest = static_cast<std::size_t>(n) - before - 1;
    dropped += before;
    std::memmove(buffer_.data() + keep, newline + 1, rest);
    end_ = keep + rest;
    ended_by_newline = true;
    break;
  }
  line.text = std::string_view(buffer_.data(), keep);
  line.dropped_bytes = dropped;
  line.number = ++line_number_;
  offset_ += keep + dropped + (ended_by_newline ? 1 : 0);
  line.end_offset = offset_;
  begin_ = keep;
  return true;
}

}  // namespace segmentd
