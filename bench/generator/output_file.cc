#include "bench/generator/output_file.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace segmentd::gen {

OutputFile::OutputFile(std::FILE* file, std::string name) : file_(file), name_(std::move(name)) {}

void OutputFile::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail();
}

void OutputFile::flush() {
  if (std::fflush(file_) != 0) fail();
}

void OutputFile::fail() const {
  throw std::runtime_error("cannot write " + name_ + ": " + std::strerror(errno));
}

}  // namespace segmentd::gen
