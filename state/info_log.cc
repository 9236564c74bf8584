#include "state/info_log.h"

#include <rocksdb/env.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace segmentd {

namespace {

class StdioInfoLog final : public rocksdb::Logger {
 public:
  explicit StdioInfoLog(std::FILE* file) : file_(file) {
    if (file_ != nullptr) std::setvbuf(file_, nullptr, _IOLBF, 0);
  }
  ~StdioInfoLog() override { (void)Close(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
        1'000'000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y/%m/%d-%H:%M:%S", &utc);
    ::flockfile(file_);
    std::fprintf(file_, "%s.%06lld ", stamp, static_cast<long long>(micros));
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    ::funlockfile(file_);
  }
  void Flush() override {
    if (file_ != nullptr) std::fflush(file_);
  }

 protected:
  rocksdb::Status CloseImpl() override {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    return rocksdb::Status::OK();
  }

 private:
  std::FILE* file_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& dir) {
  const std::filesystem::path log = std::filesystem::path(dir) / "LOG";
  std::error_code ec;
  std::filesystem::rename(log, std::filesystem::path(dir) / "LOG.old", ec);
  return std::make_shared<StdioInfoLog>(std::fopen(log.c_str(), "w"));
}

}  // namespace segmentd
