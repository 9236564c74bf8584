// RocksDB's own diagnostic log (the LOG file of the state directory), written by a
// logger that drops what it cannot write. RocksDB's default file logger asserts when it
// writes again after a failed write (Debian builds RocksDB with assertions), so a full
// disk aborted the process (exit 134) while the store was closing, before segmentd could
// say what had failed. Internal to state/; thread-safe.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace segmentd {

// A logger writing to DIR/LOG (truncated at open); one that logs nothing when the file
// cannot be created.
std::shared_ptr<rocksdb::Logger> open_rocksdb_info_log(const std::string& dir);

}  // namespace segmentd
