// The durable state of segmentd: member states (each with its pending timer) and one
// checkpoint per stream, in RocksDB. The only module that links RocksDB.
//
// Layout (column families): `members` key = stream(4 bytes BE) + member id, value = the
// member record (member_codec.h), timer included; `meta` key = "checkpoint/" + stream.
// Stores written before timers lived only in member records also had a `timers` family
// (key = stream + due + member id): open() drops it, since the records hold the same
// timers and the timer index is rebuilt from them (MemberCache::load_timers).
// Streams (Kafka partitions; the replay file is stream 0) share one database and are
// separated by key prefix, so a partition's state can be dropped or rebuilt alone.
//
// Atomicity: a StoreBatch gathers member puts and the checkpoint they reflect; commit()
// writes it as one RocksDB write batch (WAL, optionally synced), so after any crash
// state, timers and input position agree. RocksDB recovers the WAL up to its first
// damaged or missing record (point-in-time recovery, the default), so a crash keeps a
// prefix of the writes: unsynced writes (bulk loads, drop_stream) followed by a
// checkpoint need no sync of their own for consistency.
// Without the WAL (StoreOptions::write_ahead_log false, replay's bulk writes, as Kafka
// Streams runs RocksDB) a commit reaches the disk only when a flush writes the memtables
// to table files: when the members' memtable fills, at flush(), or when the store
// closes. Every family flushes at once (RocksDB's atomic flush), so a crash leaves the
// state of the last commit flushed, whole: an earlier commit than with the WAL, never a
// mix of two.
//
// Integrity: RocksDB verifies its WALs against the MANIFEST and checks checksums
// (paranoid); every record read is validated (member_codec.h); each checkpoint carries
// the tally of its stream's members and timers, which MemberCache compares with the
// store when it restores the stream. Errors that mean the state cannot be trusted say
// "state dir <dir> is corrupt: ..." and are fatal.
//
// Thread-safety: reads and commits may come from different threads (RocksDB is
// thread-safe; commits are serialised); a StoreBatch is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/member_state.h"
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
  // The members' memtable (state.write_buffer_size): larger makes fewer, larger level-0
  // files and so fewer compactions; RocksDB holds up to two while one is flushed.
  std::size_t write_buffer_bytes = 64u << 20;
  // false: commits skip the WAL and are durable once flushed (see Atomicity above).
  bool write_ahead_log = true;
};

// Figures for metrics and benchmarks.
struct StoreFigures {
  std::uint64_t disk_bytes = 0;  // SST + WAL files
  std::uint64_t block_cache_hits = 0;
  std::uint64_t block_cache_misses = 0;
  std::uint64_t write_stall_micros = 0;
  std::uint64_t wal_syncs = 0;    // WAL fsyncs since the store was opened
  std::uint64_t point_reads = 0;  // keys looked up (members, checkpoints) since then
};

class StateStore;

class StoreBatch {
 public:
  explicit StoreBatch(StateStore& store);
  ~StoreBatch();
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  // Returns record_digest() of the record written; last_encoded() holds its bytes until
  // the next put.
  std::uint64_t put_member(StreamId stream, std::string_view member_id, const MemberState& state);
  std::string_view last_encoded() const;
  // A member record already encoded (and validated by the caller), e.g. from the changelog.
  void put_member_record(StreamId stream, std::string_view member_id, std::string_view record);
  void delete_member(StreamId stream, std::string_view member_id);
  void put_checkpoint(StreamId stream, const StreamCheckpoint& checkpoint);
  void delete_checkpoint(StreamId stream);
  std::size_t byte_size() const;
  void clear();

 private:
  friend class StateStore;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class StateStore {
 public:
  // Opens (creating if needed) the database in options.dir. A dir whose store was being
  // created when the process died (file SEGMENTD-CREATING, removed once a creation
  // completes) holds nothing: it is cleared and created again, never reported corrupt.
  static Status open(const StoreOptions& options, std::unique_ptr<StateStore>& store);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Fills `state` and sets `found`; a missing member is not an error. `digest`, when
  // given, receives record_digest() of the stored record.
  Status read_member(StreamId stream, std::string_view member_id, MemberState& state, bool& found,
                     std::uint64_t* digest = nullptr);
  // read_member() with decode_member_figures(): fills only what the daily sweep reads.
  Status read_member_figures(StreamId stream, std::string_view member_id, MemberState& state,
                             bool& found);
  // nullopt when the stream never committed.
  Status read_checkpoint(StreamId stream, std::optional<StreamCheckpoint>& checkpoint);
  // Calls `visit` with each member record of the stream (id and encoded bytes), in id
  // order, without filling the block cache; stops at the first error `visit` returns.
  Status scan_members(
      StreamId stream,
      const std::function<Status(std::string_view member_id, std::string_view record)>& visit);
  // Calls `visit` for each persisted member id of the stream, in UTF-8 byte order.
  Status scan_member_ids(StreamId stream,
                         const std::function<void(std::string_view member_id)>& visit);
  // Writes the batch atomically; the batch is cleared on success. A write refused for
  // lack of space is a retry error (RocksDB then stops writing): the next commit first
  // resumes the store, and succeeds once there is space again. Nothing of a failed
  // batch is written. `sync` false: the WAL is not synced for this batch (bulk loads, or all
  // partitions' commits but the last: the last batch's sync syncs the earlier ones too).
  Status commit(StoreBatch& batch, bool sync = true);
  // Writes every commit so far to table files and waits: what makes commits durable in
  // a store without the WAL. Errors like commit()'s (a full disk is a retry error).
  Status flush();
  // Removes the stream's member records and checkpoint (WAL not synced), e.g. before its
  // state is restored from the changelog.
  Status drop_stream(StreamId stream);

  StoreFigures figures() const;
  // "state dir <dir> is corrupt: <what>" (fatal).
  Status corrupt(const std::string& what) const;

 private:
  friend class StoreBatch;
  friend struct StoreOpener;
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  using MemberDecoder = bool (*)(std::string_view, MemberState&, std::string*);
  Status read_member_with(MemberDecoder decode, StreamId stream, std::string_view member_id,
                          MemberState& state, bool& found, std::uint64_t* digest);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
