// The result of an operation at a module boundary (RocksDB, Kafka, files): success, or
// an error whose kind tells the caller what to do next (STYLE 4).
//
// - retry: transient (broker unavailable, I/O hiccup); the same call may succeed later.
// - fatal: the process cannot continue safely (corrupt state, disk full, bad config).
// Values; thread-safe to copy.
#pragma once

#include <string>
#include <utility>

namespace segmentd {

enum class ErrorKind { retry, fatal };

class [[nodiscard]] Status {
 public:
  static Status ok() { return Status(); }
  static Status error(ErrorKind kind, std::string message) {
    return Status(kind, std::move(message));
  }
  static Status fatal(std::string message) { return error(ErrorKind::fatal, std::move(message)); }

  bool is_ok() const { return !failed_; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  Status(ErrorKind kind, std::string message)
      : failed_(true), kind_(kind), message_(std::move(message)) {}
  bool failed_ = false;
  ErrorKind kind_ = ErrorKind::fatal;
  std::string message_;
};

}  // namespace segmentd
