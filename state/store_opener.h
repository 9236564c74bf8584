// Internal to state/: opens a StateStore on a given RocksDB Env. StateStore::open uses
// the default Env; the test-only fault injection (state/io_fault_injection.h) passes one
// whose file system fails on demand. Not part of the module's interface: it names a
// RocksDB type.
#pragma once

#include <memory>

#include "engine/status.h"
#include "state/state_store.h"

namespace rocksdb {
class Env;
}

namespace segmentd {

struct StoreOpener {
  // `env` null: RocksDB's default Env. The store keeps `env` alive.
  static Status open(const StoreOptions& options, std::shared_ptr<rocksdb::Env> env,
                     std::unique_ptr<StateStore>& store);
};

}  // namespace segmentd
