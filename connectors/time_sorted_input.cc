// Stable external sort by (ts, line number). Accepted lines collect in a RunBuffer (one
// byte arena plus small fixed-size records). If the whole input fits in the budget it is
// sorted and served from memory. Otherwise every run is sorted and appended to one spill
// file (unlinked as soon as it is created), and next() merges the runs with a min-heap.
//
// Spill record layout (native byte order; the file never outlives the process):
//   int64 ts | uint64 line number | uint32 length | `length` bytes of line text
#include "connectors/time_sorted_input.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace segmentd {

namespace {

constexpr std::size_t kWriteBufferBytes = 1u << 20;
constexpr std::size_t kMaxReadBufferBytes = 1u << 20;
constexpr std::size_t kMinReadBufferBytes = 64u << 10;
constexpr std::size_t kHeaderBytes =
    sizeof(std::int64_t) + sizeof(std::uint64_t) + sizeof(std::uint32_t);

// `what`, followed by the description of the current errno.
std::string with_errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// The sort key: unique, because line numbers are.
struct SortKey {
  std::int64_t ts = 0;
  std::uint64_t line = 0;
  auto operator<=>(const SortKey&) const = default;
};

// One accepted line of a run: its key and where its text sits in the run's arena.
struct RunRecord {
  SortKey key;
  std::size_t offset = 0;
  std::uint32_t length = 0;
};

// The lines of one run. memory_used() counts text bytes plus one RunRecord per line;
// clear() keeps the capacity so later runs reuse the allocations.
class RunBuffer {
 public:
  static std::size_t cost(std::string_view text) { return text.size() + sizeof(RunRecord); }

  bool empty() const { return records_.empty(); }
  std::size_t memory_used() const { return arena_.size() + records_.size() * sizeof(RunRecord); }

  // REQUIRES: text.size() fits in uint32.
  void add(SortKey key, std::string_view text) {
    records_.push_back({key, arena_.size(), static_cast<std::uint32_t>(text.size())});
    arena_.insert(arena_.end(), text.begin(), text.end());
  }

  void sort() {
    std::sort(records_.begin(), records_.end(),
              [](const RunRecord& a, const RunRecord& b) { return a.key < b.key; });
  }

  void clear() {
    arena_.clear();
    records_.clear();
  }

  const std::vector<RunRecord>& records() const { return records_; }
  std::string_view text(const RunRecord& r) const { return {arena_.data() + r.offset, r.length}; }

 private:
  std::vector<char> arena_;
  std::vector<RunRecord> records_;
};

// A temporary file that has no name: created in `dir` and unlinked at once, so it
// disappears when the fd is closed, even if the process is killed. Appends are buffered.
class SpillFile {
 public:
  SpillFile() = default;
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  ~SpillFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status create(const std::string& dir) {
    std::string pattern = dir + "/segmentd-sort-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) return Status::fatal(with_errno("cannot create a sort spill file in " + dir));
    if (::unlink(pattern.c_str()) != 0) {
      return Status::fatal(with_errno("cannot unlink sort spill file " + pattern));
    }
    buffer_.reserve(kWriteBufferBytes);
    dir_ = dir;
    return Status::ok();
  }

  Status append(SortKey key, std::string_view text) {
    const auto length = static_cast<std::uint32_t>(text.size());
    char header[kHeaderBytes];
    std::memcpy(header, &key.ts, sizeof key.ts);
    std::memcpy(header + sizeof key.ts, &key.line, sizeof key.line);
    std::memcpy(header + sizeof key.ts + sizeof key.line, &length, sizeof length);
    buffer_.insert(buffer_.end(), header, header + kHeaderBytes);
    buffer_.insert(buffer_.end(), text.begin(), text.end());
    return buffer_.size() >= kWriteBufferBytes ? flush() : Status::ok();
  }

  Status flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return Status::fatal(with_errno("cannot write the sort spill file in " + dir_ +
                                        " (the temporary directory; TMPDIR chooses another)"));
      }
      done += static_cast<std::size_t>(n);
    }
    size_ += buffer_.size();
    buffer_.clear();
    return Status::ok();
  }

  int fd() const { return fd_; }
  // Bytes written so far, including those still buffered.
  std::uint64_t size() const { return size_ + buffer_.size(); }

 private:
  int fd_ = -1;
  std::string dir_;
  std::uint64_t size_ = 0;  // bytes already written to fd_
  std::vector<char> buffer_;
};

// Reads the records of one run, the byte range [begin, end) of a spill file, with pread
// through a buffer of its own. The current line stays valid until the next advance().
class RunReader {
 public:
  RunReader(int fd, std::uint64_t begin, std::uint64_t end, std::size_t buffer_bytes)
      : fd_(fd), position_(begin), end_(end), buffer_(buffer_bytes) {}

  // Moves to the next record; false at the end of the run or on error (see status()).
  bool advance() {
    begin_ += consumed_;
    consumed_ = 0;
    if (!ensure(kHeaderBytes)) return false;
    const char* header = buffer_.data() + begin_;
    std::uint32_t length = 0;
    std::memcpy(&key_.ts, header, sizeof key_.ts);
    std::memcpy(&key_.line, header + sizeof key_.ts, sizeof key_.line);
    std::memcpy(&length, header + sizeof key_.ts + sizeof key_.line, sizeof length);
    if (!ensure(kHeaderBytes + length)) return false;
    text_ = std::string_view(buffer_.data() + begin_ + kHeaderBytes, length);
    consumed_ = kHeaderBytes + length;
    return true;
  }

  SortKey key() const { return key_; }
  std::string_view text() const { return text_; }
  const Status& status() const { return status_; }

 private:
  // Makes `bytes` unread bytes available at begin_; false at the end or on error.
  bool ensure(std::size_t bytes) {
    if (end_of_buffer_ - begin_ >= bytes) return true;
    if (position_ == end_ && end_of_buffer_ == begin_) return false;
    compact(bytes);
    while (end_of_buffer_ - begin_ < bytes) {
      if (position_ == end_) return fail("the sort spill file ends inside a record");
      if (!read_more()) return false;
    }
    return true;
  }

  // Moves the unread bytes to the front, growing the buffer for records longer than it.
  void compact(std::size_t bytes) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_of_buffer_ - begin_);
    end_of_buffer_ -= begin_;
    begin_ = 0;
    if (buffer_.size() < bytes) buffer_.resize(bytes);
  }

  bool read_more() {
    const std::uint64_t wanted =
        std::min<std::uint64_t>(buffer_.size() - end_of_buffer_, end_ - position_);
    const ssize_t n =
        ::pread(fd_, buffer_.data() + end_of_buffer_, wanted, static_cast<off_t>(position_));
    if (n < 0 && errno == EINTR) return true;
    if (n < 0) return fail(with_errno("cannot read the sort spill file"));
    if (n == 0) return fail("the sort spill file is shorter than written");
    end_of_buffer_ += static_cast<std::size_t>(n);
    position_ += static_cast<std::uint64_t>(n);
    return true;
  }

  bool fail(std::string message) {
    status_ = Status::fatal(std::move(message));
    return false;
  }

  int fd_;
  std::uint64_t position_;  // file offset of the next byte to read
  std::uint64_t end_;       // file offset just past the run
  std::vector<char> buffer_;
  std::size_t begin_ = 0;          // first unread byte in buffer_
  std::size_t end_of_buffer_ = 0;  // one past the last valid byte in buffer_
  std::size_t consumed_ = 0;       // size of the current record, skipped by advance()
  SortKey key_;
  std::string_view text_;
  Status status_ = Status::ok();
};

// Serves a single sorted run straight from memory.
class InMemoryInput final : public TimeSortedInput {
 public:
  explicit InMemoryInput(RunBuffer run) : run_(std::move(run)) { run_.sort(); }

  bool next(InputLine& line) override {
    if (next_ == run_.records().size()) return false;
    const RunRecord& record = run_.records()[next_++];
    line = {run_.text(record), record.key.line, 0};
    return true;
  }
  const Status& status() const override { return status_; }
  std::size_t spilled_runs() const override { return 0; }

 private:
  RunBuffer run_;
  std::size_t next_ = 0;
  Status status_ = Status::ok();
};

// Byte ranges of the sorted runs in a spill file.
struct RunExtent {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// K-way merge of the spilled runs. The reader that produced the last line is advanced
// lazily, on the following next(), so that line's view stays valid until then.
class MergedInput final : public TimeSortedInput {
 public:
  MergedInput(std::unique_ptr<SpillFile> file, const std::vector<RunExtent>& runs,
              std::size_t memory_budget)
      : file_(std::move(file)) {
    const std::size_t buffer_bytes =
        std::clamp(memory_budget / runs.size(), kMinReadBufferBytes, kMaxReadBufferBytes);
    readers_.reserve(runs.size());
    for (const RunExtent& run : runs) {
      readers_.emplace_back(file_->fd(), run.begin, run.end, buffer_bytes);
    }
  }

  // Reads the first record of every run.
  Status start() {
    for (std::size_t i = 0; i < readers_.size(); ++i) {
      if (!advance(i)) return status_;
    }
    return Status::ok();
  }

  bool next(InputLine& line) override {
    if (!status_.is_ok()) return false;
    if (current_ != kNone) {
      if (!advance(current_)) return false;
      current_ = kNone;
    }
    if (heap_.empty()) return false;
    current_ = heap_.top().reader;
    heap_.pop();
    const RunReader& reader = readers_[current_];
    line = {reader.text(), reader.key().line, 0};
    return true;
  }
  const Status& status() const override { return status_; }
  std::size_t spilled_runs() const override { return readers_.size(); }

 private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  struct HeapEntry {
    SortKey key;
    std::size_t reader = 0;
    bool operator>(const HeapEntry& other) const { return key > other.key; }
  };

  // Moves reader `i` on and queues its next record; false only on error.
  bool advance(std::size_t i) {
    RunReader& reader = readers_[i];
    if (reader.advance()) {
      heap_.push({reader.key(), i});
      return true;
    }
    status_ = reader.status();
    return status_.is_ok();
  }

  std::unique_ptr<SpillFile> file_;
  std::vector<RunReader> readers_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  std::size_t current_ = kNone;  // the reader whose line next() returned last
  Status status_ = Status::ok();
};

// Reads and classifies the input, spilling a sorted run whenever the next line would
// take the run past the memory budget.
class RunCollector {
 public:
  RunCollector(std::size_t memory_budget, std::string spill_dir)
      : memory_budget_(memory_budget), spill_dir_(std::move(spill_dir)) {}

  Status collect(JsonlReader& reader, const TimeSortedInput::Classify& classify) {
    InputLine line;
    std::string record;
    while (reader.next(line)) {
      if (line.dropped_bytes == 0 && is_blank(line.text)) continue;
      record.clear();
      const std::optional<EpochMs> ts = classify(line, record);
      if (!ts) continue;
      Status s = add(SortKey{ts->ms, line.number}, record);
      if (!s.is_ok()) return s;
    }
    return reader.status();
  }

  Status finish(std::unique_ptr<TimeSortedInput>& sorted) {
    if (!file_) {
      sorted = std::make_unique<InMemoryInput>(std::move(run_));
      return Status::ok();
    }
    Status s = spill_run();
    if (s.is_ok()) s = file_->flush();
    if (!s.is_ok()) return s;
    auto merged = std::make_unique<MergedInput>(std::move(file_), runs_, memory_budget_);
    s = merged->start();
    if (s.is_ok()) sorted = std::move(merged);
    return s;
  }

 private:
  Status add(SortKey key, std::string_view record) {
    if (record.size() > std::numeric_limits<std::uint32_t>::max()) {
      return Status::fatal("line " + std::to_string(key.line) +
                           " is too long to sort (4 GiB or more)");
    }
    if (!run_.empty() && run_.memory_used() + RunBuffer::cost(record) > memory_budget_) {
      Status s = spill_run();
      if (!s.is_ok()) return s;
    }
    run_.add(key, record);
    return Status::ok();
  }

  Status spill_run() {
    if (!file_) {
      file_ = std::make_unique<SpillFile>();
      Status s = file_->create(spill_dir_);
      if (!s.is_ok()) return s;
    }
    run_.sort();
    const std::uint64_t begin = file_->size();
    for (const RunRecord& record : run_.records()) {
      Status s = file_->append(record.key, run_.text(record));
      if (!s.is_ok()) return s;
    }
    runs_.push_back({begin, file_->size()});
    run_.clear();
    return Status::ok();
  }

  std::size_t memory_budget_;
  std::string spill_dir_;
  RunBuffer run_;
  std::unique_ptr<SpillFile> file_;  // created by the first spill
  std::vector<RunExtent> runs_;
};

}  // namespace

Status TimeSortedInput::sort(JsonlReader& reader, const Classify& classify,
                             std::size_t memory_budget, const std::string& spill_dir,
                             std::unique_ptr<TimeSortedInput>& sorted) {
  RunCollector collector(memory_budget, spill_dir);
  Status s = collector.collect(reader, classify);
  if (!s.is_ok()) return s;
  return collector.finish(sorted);
}

}  // namespace segmentd
