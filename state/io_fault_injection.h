// Test-only (linked by tests, never by the service): a state store whose file writes
// fail on demand, for crash-consistency tests.
//
// IoFaults counts the write operations the store makes on its files (create, append,
// truncate, flush, sync, close, rename, link, directory sync) and fails the n-th one it
// is told to with "No space left on device"; `sticky` fails every one after it too, like
// a disk that filled up. Reads are never failed. No RocksDB type appears here: the store
// is opened behind the module boundary. Thread-safe (RocksDB writes from its own
// threads too).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "engine/status.h"
#include "state/state_store.h"

namespace segmentd {

class IoFaults {
 public:
  // Fails the n-th write operation from now on (n >= 1), and with `sticky` every later one.
  void fail_at(std::uint64_t n, bool sticky);
  // No more failures; counting goes on.
  void disarm();
  std::uint64_t operations() const { return operations_.load(); }
  bool injected() const { return injected_.load(); }

  // Called by the file system for each write operation: true when it must fail.
  bool next_fails();

 private:
  std::atomic<std::uint64_t> operations_{0};
  std::atomic<std::uint64_t> fail_from_{0};  // 0: never
  std::atomic<bool> sticky_{false};
  std::atomic<bool> injected_{false};
};

// Opens options.dir like StateStore::open, on a file system that consults `faults`.
Status open_store_with_faults(const StoreOptions& options, std::shared_ptr<IoFaults> faults,
                              std::unique_ptr<StateStore>& store);

}  // namespace segmentd
