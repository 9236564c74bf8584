// Internal to state/: the RocksDB info log (`LOG` in the state dir), written with stdio.
//
// RocksDB's own file logger remembers a failed write and, in builds with assertions
// (Debian's librocksdb), aborts on its next line: with the disk full, closing the store
// logged a line and the process died (exit 134) instead of reporting the error. This
// logger ignores write errors: losing diagnostics never stops the store. The previous
// run's log is kept as LOG.old. Thread-safe (one stdio lock per line).
#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace segmentd {

// Never null: when `dir`/LOG cannot be created, a logger that drops every line.
std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& dir);

}  // namespace segmentd
