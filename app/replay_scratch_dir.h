// The temporary state directory of a replay run without state.dir:
// TMPDIR/segmentd-replay-XXXXXX/, holding `owner.lock` (flock()ed by the owning process
// for as long as it runs, with its pid inside) and `state/` for the store.
//
// It is removed when the object is destroyed (the end of the run, an error, SIGTERM or
// SIGINT). One left behind by a process that was killed (SIGKILL, a crash, power loss)
// is stale: its lock is free. create() first removes every stale one; the lock, not the
// pid, decides, so a reused pid cannot keep a stale directory alive.
// Not thread-safe.
#pragma once

#include <string>

#include "engine/status.h"

namespace segmentd {

class ScratchDir {
 public:
  ScratchDir() = default;
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Removes stale scratch directories, then creates and locks a new one.
  Status create();
  // Where the store goes; empty before create().
  const std::string& state_dir() const { return state_dir_; }

 private:
  std::string path_;
  std::string state_dir_;
  int lock_fd_ = -1;
};

}  // namespace segmentd
