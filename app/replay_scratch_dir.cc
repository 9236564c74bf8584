#include "app/replay_scratch_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/log.h"

namespace segmentd {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "segmentd-replay-";
constexpr const char* kLockName = "owner.lock";

// Whether `dir` is a scratch directory whose owner is gone. The lock is taken (and
// kept in `lock_fd` to hold off other sweepers) only when the lock file names an
// owner: one without a pid yet belongs to a process between creating and locking it.
bool is_stale(const fs::path& dir, int& lock_fd) {
  lock_fd = ::open((dir / kLockName).c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd < 0) return false;
  char pid[32];
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) == 0 && ::read(lock_fd, pid, sizeof pid) > 0) {
    return true;
  }
  ::close(lock_fd);
  lock_fd = -1;
  return false;
}

void remove_stale_scratch_dirs(const fs::path& temp) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(temp, error)) {
    if (!entry.path().filename().string().starts_with(kPrefix) || !entry.is_directory(error)) {
      continue;
    }
    int lock_fd = -1;
    if (!is_stale(entry.path(), lock_fd)) continue;
    std::error_code removal;
    fs::remove_all(entry.path(), removal);
    ::close(lock_fd);
    log::info("stale_replay_state_removed",
              {{"dir", entry.path().string()},
               {"result", removal ? removal.message() : std::string("removed")}});
  }
}

}  // namespace

Status ScratchDir::create() {
  std::error_code error;
  const fs::path temp = fs::temp_directory_path(error);
  if (error) return Status::fatal("no temporary directory: " + error.message());
  remove_stale_scratch_dirs(temp);
  std::string pattern = (temp / (std::string(kPrefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::fatal("cannot create a temporary state directory in " + temp.string() + ": " +
                         std::strerror(errno));
  }
  path_ = pattern;
  const std::string lock_path = path_ + "/" + kLockName;
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0 ||
      ::write(lock_fd_, pid.data(), pid.size()) != static_cast<ssize_t>(pid.size())) {
    return Status::fatal("cannot lock " + lock_path + ": " + std::strerror(errno));
  }
  state_dir_ = path_ + "/state";
  return Status::ok();
}

ScratchDir::~ScratchDir() {
  std::error_code error;
  if (!path_.empty()) fs::remove_all(path_, error);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace segmentd
