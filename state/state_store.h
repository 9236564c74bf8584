// The durable state of segmentd: member records and one checkpoint per stream, in
// RocksDB. The only module that links RocksDB.
//
// Layout (column families): `members` key = stream (4 bytes BE) + member id, value = the
// member's record (state/member_codec.h), which includes its pending timer; `meta` key =
// "checkpoint/" + stream. Streams (Kafka partitions; the replay file is stream 0) share
// one database and are separated by key prefix, so a partition's state can be dropped or
// rebuilt alone. Timers are not stored apart: a stream's timer index is rebuilt from its
// member records at start-up (scan_members), so each changed member costs one write.
// (Databases from before this layout had a `timers` family; it is dropped on open.)
//
// Atomicity: a StoreBatch gathers member records and the checkpoint they reflect;
// commit() writes it as one RocksDB write batch (WAL, optionally synced), so after any
// crash state, timers and input position agree.
//
// Thread-safety: reads and commits may come from different threads (RocksDB is
// thread-safe); a StoreBatch is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "state/member_codec.h"

namespace segmentd {

struct StreamId {
  std::uint32_t value = 0;
  auto operator<=>(const StreamId&) const = default;
};

struct StoreOptions {
  std::string dir;
  std::size_t block_cache_bytes = 64u << 20;
  bool sync_commits = true;  // fsync the WAL at every commit (survives power loss)
};

// Figures for metrics and benchmarks.
struct StoreFigures {
  std::uint64_t disk_bytes = 0;  // SST + WAL files
  std::uint64_t block_cache_hits = 0;
  std::uint64_t block_cache_misses = 0;
  std::uint64_t write_stall_micros = 0;
};

class StateStore;

class StoreBatch {
 public:
  explicit StoreBatch(StateStore& store);
  ~StoreBatch();
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  // Adds the member's record (encode_member). Members added in key order (stream, then
  // id bytewise) are inserted into RocksDB's memtable several times faster.
  void put_member(StreamId stream, std::string_view member_id, std::string_view record);
  void put_checkpoint(StreamId stream, const StreamCheckpoint& checkpoint);
  std::size_t byte_size() const;
  void clear();

 private:
  friend class StateStore;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class StateStore {
 public:
  // Opens (creating if needed) the database in options.dir.
  static Status open(const StoreOptions& options, std::unique_ptr<StateStore>& store);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Sets `found` and, when found, `record` to the member's record; a missing member is
  // not an error.
  Status read_member(StreamId stream, std::string_view member_id, std::string& record, bool& found);
  // nullopt when the stream never committed.
  Status read_checkpoint(StreamId stream, std::optional<StreamCheckpoint>& checkpoint);
  // Calls `visit` for each member of the stream, in member id order; stops at, and
  // returns, the first error `visit` returns.
  Status scan_members(
      StreamId stream,
      const std::function<Status(std::string_view member_id, std::string_view record)>& visit);
  // Writes the batch atomically; the batch is cleared on success.
  Status commit(StoreBatch& batch);

  StoreFigures figures() const;

 private:
  friend class StoreBatch;
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
