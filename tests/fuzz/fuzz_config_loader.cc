// libFuzzer target: arbitrary bytes as the TOML config file through load_config (SPEC 9).
// Any text must give either a config or an error message; never a crash, an exception
// or undefined behaviour. The loader reads a path, so the bytes go into an in-memory
// file (memfd) opened through /proc/self/fd: nothing is left on disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config_loader.h"

namespace {

int config_file() {
  const int fd = memfd_create("segmentd-fuzz-config", 0);
  if (fd < 0) std::abort();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = config_file();
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const auto length = static_cast<off_t>(size);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != length) std::abort();
  segmentd::LoadRequest request;
  request.config_file = path;
  const auto result = segmentd::load_config(request);
  if (!result.ok() && result.error().empty()) std::abort();
  return 0;
}
