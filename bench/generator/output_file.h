// An output stream being written with error checks: write() hands bytes to fwrite
// (stdio buffers small writes; large blocks go straight through), flush() flushes.
// Failures throw std::runtime_error naming the file. Does not own the FILE.
// Not thread-safe.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace segmentd::gen {

class OutputFile {
 public:
  OutputFile(std::FILE* file, std::string name);

  void write(std::string_view bytes);
  void flush();

 private:
  [[noreturn]] void fail() const;

  std::FILE* file_;
  std::string name_;
};

}  // namespace segmentd::gen
