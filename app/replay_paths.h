// The files one `segmentd replay` reads and writes (--input, --output, --dlq,
// --summary-json), checked to be distinct before any of them is opened for writing, so
// that no output destroys the input or another output. Files are compared by identity
// (device and inode), which also sees through other spellings of a path, hard links and
// symbolic links; names that do not exist yet are compared as absolute paths with
// symbolic links resolved. "-" stands for standard input or output, compared by what it
// is connected to. Only regular files are compared: /dev/null may take two outputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace segmentd {

struct ReplayFile {
  std::string option;  // e.g. "--output"
  std::string path;
  bool is_input = false;  // "-" is standard input rather than standard output
};

// nullopt when the files are all distinct; else an error naming both options and paths.
std::optional<std::string> find_shared_replay_file(const std::vector<ReplayFile>& files);

}  // namespace segmentd
