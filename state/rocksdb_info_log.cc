#include "state/rocksdb_info_log.h"

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace segmentd {

namespace {

class DroppingFileLogger final : public rocksdb::Logger {
 public:
  explicit DroppingFileLogger(std::FILE* file) : file_(file) {}
  ~DroppingFileLogger() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &utc);
    const std::lock_guard<std::mutex> lock(mutex_);
    // Errors (a full disk) are not checked: the line is lost, nothing else happens.
    std::fputs(stamp, file_);
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
  std::mutex mutex_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> open_rocksdb_info_log(const std::string& dir) {
  return std::make_shared<DroppingFileLogger>(std::fopen((dir + "/LOG").c_str(), "we"));
}

}  // namespace segmentd
