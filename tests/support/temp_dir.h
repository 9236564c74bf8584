// Test support: a fresh directory under the system temp dir, removed with its contents
// when the object goes.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace segmentd::testing {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "segmentd-test-XXXXXX");
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace segmentd::testing
