#include "connectors/jsonl_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace segmentd {

namespace {
constexpr std::size_t kFlushBytes = 1u << 20;

Status io_error(const std::string& what, const std::string& path) {
  return Status::fatal(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

JsonlFileWriter::JsonlFileWriter(int fd, bool owns_fd, std::uint64_t written, std::string path)
    : fd_(fd), owns_fd_(owns_fd), written_(written), path_(std::move(path)) {
  buffer_.reserve(kFlushBytes + 64 * 1024);
}

JsonlFileWriter::~JsonlFileWriter() {
  (void)write_buffer();
  if (owns_fd_) ::close(fd_);
}

Status JsonlFileWriter::open(const std::string& path, std::uint64_t keep_bytes,
                             std::unique_ptr<JsonlFileWriter>& writer) {
  if (path == "-") {
    if (keep_bytes > 0) {
      return Status::fatal("cannot resume into standard output: write the output to a file");
    }
    writer.reset(new JsonlFileWriter(STDOUT_FILENO, false, 0, path));
    return Status::ok();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open", path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const Status s = io_error("cannot inspect", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(info.st_mode)) {
    // A device or a pipe (/dev/null, a FIFO): nothing to cut back, nor to resume into.
    if (keep_bytes == 0) {
      writer.reset(new JsonlFileWriter(fd, true, 0, path));
      return Status::ok();
    }
    ::close(fd);
    return Status::fatal("cannot resume into " + path + ": not a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) < keep_bytes) {
    ::close(fd);
    return Status::fatal(path +
                         " is shorter than the output committed in state.dir: it was "
                         "changed since; start over with an empty state.dir");
  }
  if (::ftruncate(fd, static_cast<off_t>(keep_bytes)) != 0 ||
      ::lseek(fd, static_cast<off_t>(keep_bytes), SEEK_SET) < 0) {
    const Status s = io_error("cannot cut back", path);
    ::close(fd);
    return s;
  }
  writer.reset(new JsonlFileWriter(fd, true, keep_bytes, path));
  return Status::ok();
}

Status JsonlFileWriter::end_line() {
  buffer_.push_back('\n');
  if (!failure_.is_ok() || buffer_.size() >= kFlushBytes) return write_buffer();
  return Status::ok();
}

// After the first failure nothing more is written: the lines are dropped, not retried.
Status JsonlFileWriter::write_buffer() {
  if (!failure_.is_ok()) {
    buffer_.clear();
    return failure_;
  }
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<std::size_t>(n);
  }
  written_ += buffer_.size();
  buffer_.clear();
  return Status::ok();
}

Status JsonlFileWriter::fail(const std::string& what) {
  failure_ = io_error(what, path_);
  buffer_.clear();
  return failure_;
}

Status JsonlFileWriter::sync() {
  Status s = write_buffer();
  if (!s.is_ok()) return s;
  if (owns_fd_ && ::fdatasync(fd_) != 0 && errno != EINVAL) return fail("cannot sync");
  return Status::ok();
}

}  // namespace segmentd
