// The consumer's static group membership id (kafka group.instance.id) for `segmentd run`:
// stable across restarts on the same state dir and distinct between state dirs, so a
// restarted instance (after kill -9 too) gets its partitions back at once instead of
// after the session timeout. Kept in <state.dir>/group-instance-id, created on first
// use as "segmentd-<host>-<random hex>".
//
// Touches the file system only in `state_dir`.
#pragma once

#include <string>

#include "engine/status.h"

namespace segmentd {

Status group_instance_id(const std::string& state_dir, std::string& id);

}  // namespace segmentd
