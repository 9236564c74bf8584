#include "app/replay_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace segmentd {

namespace {

// What a name refers to: a file (device, inode) when it exists, else its resolved path.
struct Identity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string resolved;

  bool same_as(const Identity& other) const {
    if (exists != other.exists) return false;
    if (exists) return device == other.device && inode == other.inode;
    return !resolved.empty() && resolved == other.resolved;
  }
};

Identity identity_of(const ReplayFile& file) {
  Identity id;
  struct stat info {};
  if (file.path == "-") {
    // A terminal or a pipe may well be both standard input and output; only regular
    // files can be destroyed by writing.
    const int fd = file.is_input ? STDIN_FILENO : STDOUT_FILENO;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
      id = {true, info.st_dev, info.st_ino, {}};
    }
    return id;
  }
  if (::stat(file.path.c_str(), &info) == 0) {
    // Devices such as /dev/null may well take two outputs.
    if (S_ISREG(info.st_mode)) id = {true, info.st_dev, info.st_ino, {}};
    return id;
  }
  std::error_code error;
  id.resolved =
      std::filesystem::weakly_canonical(std::filesystem::absolute(file.path, error), error)
          .string();
  return id;
}

std::string shown(const ReplayFile& file) {
  if (file.path != "-") return file.option + " " + file.path;
  return file.option + " - (standard " + (file.is_input ? "input" : "output") + ")";
}

}  // namespace

std::optional<std::string> find_shared_replay_file(const std::vector<ReplayFile>& files) {
  std::vector<Identity> ids;
  for (const ReplayFile& file : files) ids.push_back(identity_of(file));
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!ids[i].same_as(ids[j])) continue;
      return shown(files[i]) + " and " + shown(files[j]) +
             " are the same file: writing one would destroy the other; use distinct files";
    }
  }
  return std::nullopt;
}

}  // namespace segmentd
