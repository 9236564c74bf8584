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

JsonlReader::JsonlReader(int fd, bool owns_fd) : fd_(fd), owns_fd_(owns_fd), buffer_(kChunkBytes) {}

JsonlReader::~JsonlReader() {
  if (owns_fd_) ::close(fd_);
}

Status JsonlReader::open(const std::string& path, std::unique_ptr<JsonlReader>& reader) {
  if (path == "-") {
    reader.reset(new JsonlReader(STDIN_FILENO, false));
    return Status::ok();
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::fatal("cannot open input " + path + ": " + std::strerror(errno));
  reader.reset(new JsonlReader(fd, true));
  return Status::ok();
}

Status JsonlReader::skip_to(std::uint64_t offset, std::uint64_t line) {
  struct stat info {};
  if (::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode)) {
    if (static_cast<std::uint64_t>(info.st_size) < offset) {
      return Status::fatal("the input is shorter than the position committed in state.dir: "
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
  std::size_t scanned = begin_;
  for (;;) {
    const char* start = buffer_.data() + scanned;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - scanned));
    if (newline != nullptr || (eof_ && end_ > begin_)) {
      const std::size_t stop = newline ? static_cast<std::size_t>(newline - buffer_.data()) : end_;
      std::size_t length = stop - begin_;
      const std::size_t consumed = length + (newline ? 1 : 0);
      if (length > 0 && buffer_[begin_ + length - 1] == '\r') --length;
      line.text = std::string_view(buffer_.data() + begin_, length);
      line.number = ++line_number_;
      offset_ += consumed;
      line.end_offset = offset_;
      begin_ += consumed;
      return true;
    }
    scanned = end_ - begin_;
    if (!fill()) {
      if (end_ > begin_) continue;  // last line without a newline
      return false;
    }
    scanned += begin_;
  }
}

}  // namespace segmentd
