#include "state/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include "state/info_log.h"
#include "state/store_opener.h"
#include "state/varint.h"

namespace segmentd {

namespace {

constexpr std::string_view kMembersFamily = "members";
// The timers of format-1 stores (timers column family, key = stream + due + member id),
// dropped on open: every member record carries its timer, which is where timers are
// restored from.
constexpr std::string_view kLegacyTimersFamily = "timers";
constexpr std::string_view kMetaFamily = "meta";
constexpr std::string_view kCheckpointPrefix = "checkpoint/";

std::string member_key(StreamId stream, std::string_view member_id) {
  std::string key;
  key.reserve(4 + member_id.size());
  bytes::put_fixed32(key, stream.value);
  key.append(member_id);
  return key;
}

std::string stream_prefix(StreamId stream) {
  std::string key;
  bytes::put_fixed32(key, stream.value);
  return key;
}

std::string checkpoint_key(StreamId stream) {
  std::string key(kCheckpointPrefix);
  bytes::put_fixed32(key, stream.value);
  return key;
}

Status from_rocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::ok();
  const ErrorKind kind = s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() || s.IsNoSpace()
                             ? ErrorKind::retry
                             : ErrorKind::fatal;
  return Status::error(kind, std::string(what) + ": " + s.ToString());
}

// Write buffers and WAL bound (docs/PERFORMANCE.md, "State store options"). The store is
// write-heavy: every commit rewrites the changed members (their timers inside) and puts
// one small checkpoint. A WAL file can only be deleted once every column family with
// data in it has been flushed, so one large, rarely filled buffer (the checkpoints in
// `meta`) used to pin every WAL written since the start (286 MB of WAL after a 2M event
// replay). Now the small families get small buffers, and max_total_wal_size forces a
// flush of whatever pins the oldest WAL once the WALs reach kMaxTotalWalBytes. The
// members' buffer is StoreOptions::write_buffer_bytes.
constexpr std::uint64_t kMaxTotalWalBytes = 64u << 20;
constexpr std::size_t kSmallFamilyWriteBuffer = 1u << 20;  // default (unused) and meta

// The stream of a key (its first 4 bytes), for memtable insert hints. Only keys longer
// than that are in its domain: RocksDB 7.8 (Debian 12) shares a memtable's hints between
// its point keys and its range deletions, whose skip lists differ, so a range deletion
// given a point key's hint corrupts the memtable (an assertion in Debian's build); the
// only range deletion, drop_stream(), has bare 4-byte bounds. Member keys carry an id of
// at least a byte, checkpoint keys a name.
class KeyStream : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "segmentd.KeyStream"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), sizeof(std::uint32_t)};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > sizeof(std::uint32_t);
  }
};

rocksdb::ColumnFamilyOptions family_options(const std::shared_ptr<rocksdb::Cache>& cache,
                                            std::size_t write_buffer_bytes) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  // Index and filters in 4 KiB partitions (docs/PERFORMANCE.md, "Replay at ten million
  // members"): a table file's whole filter grows with its keys (about 500 KiB to 2 MiB at
  // millions of members), more than a block cache shard can hold (64 MiB in 64 shards),
  // so every read fetched and checksummed it again. A partition stays cached; the small
  // top level is pinned (pin_top_level_index_and_filter, on by default).
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // LZ4 only in the last level, where most of the data ends up: the levels above are
  // rewritten soon by compactions, and compressing (and decompressing) them each time
  // cost more CPU than the bytes saved (docs/PERFORMANCE.md, "State store options").
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kLZ4Compression;
  options.write_buffer_size = write_buffer_bytes;
  // Compacting level 0 at 8 files rather than RocksDB's 4 rewrites each member record
  // fewer times (docs/PERFORMANCE.md, "State store options"): 4 % less CPU for a replay
  // at a million members, for a larger store until the next compaction.
  options.level0_file_num_compaction_trigger = 8;
  // A bloom filter over each memtable's whole keys: a read of a member the memtables do
  // not hold (a new member, most reads of a first replay) skips their skip lists.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  // A commit writes its members in key order, so each key lands just after the one before
  // it in the memtable's skip list. Without a hint RocksDB searches the list from its top
  // for every key; with one (per stream) it climbs from the last insert only as far as
  // the gap to the next key needs.
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<KeyStream>();
  return options;
}

// RocksDB creates a store in several steps: CURRENT and a MANIFEST with the default
// column family, then one MANIFEST write per other family. A crash between them leaves a
// store that opens only without our families, which would look like a damaged MANIFEST.
// This file, written (synced) before a store is created and removed (synced) once it
// opens with every family, before anything is committed, says that the store in the dir
// holds nothing: it is cleared and created again.
constexpr const char* kCreatingMarker = "SEGMENTD-CREATING";

// Creates (or removes) the marker in `dir`, durably, through RocksDB's Env (the store's
// file system: fault injection included); "" when done, else what failed.
std::string mark_creating(rocksdb::Env& env, const std::string& dir, bool creating) {
  const std::string marker = dir + "/" + kCreatingMarker;
  rocksdb::Status s = creating ? rocksdb::WriteStringToFile(&env, "", marker, /*should_sync=*/true)
                               : env.DeleteFile(marker);
  std::unique_ptr<rocksdb::Directory> directory;
  if (s.ok()) s = env.NewDirectory(dir, &directory);
  if (s.ok()) s = directory->Fsync();
  return s.ok() ? "" : (creating ? "creating " : "removing ") + marker + ": " + s.ToString();
}

}  // namespace

struct StateStore::Impl {
  std::string dir;
  rocksdb::WriteOptions commit_options;  // WAL off, or synced when sync_commits
  std::shared_ptr<rocksdb::Env> env;     // null: the default Env; declared first, so it outlives db
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
  std::unique_ptr<rocksdb::DB> db;
  std::mutex commit_mutex;                 // commits may come from several threads: one at a time
  std::atomic<bool> resume_needed{false};  // a commit failed retryably: RocksDB stopped writes
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // default, members, meta
  rocksdb::ColumnFamilyHandle* members() const { return handles[1]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles[2]; }

  // After a write refused for lack of space RocksDB stops writing until resumed.
  Status resume_if_stopped() {
    if (!resume_needed) return Status::ok();
    Status resumed = from_rocks(db->Resume(), "resuming the state store");
    if (resumed.is_ok()) resume_needed = false;
    return resumed;
  }

  ~Impl() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }
};

struct StoreBatch::Impl {
  explicit Impl(const StateStore::Impl& s) : store(s) {}
  const StateStore::Impl& store;
  rocksdb::WriteBatch batch;
  std::string scratch;
};

StoreBatch::StoreBatch(StateStore& store) : impl_(std::make_unique<Impl>(*store.impl_)) {}
StoreBatch::~StoreBatch() = default;

std::uint64_t StoreBatch::put_member(StreamId stream, std::string_view member_id,
                                     const MemberState& state) {
  impl_->scratch.clear();
  encode_member(impl_->scratch, state);
  impl_->batch.Put(impl_->store.members(), member_key(stream, member_id), impl_->scratch);
  return record_digest(member_id, impl_->scratch);
}

std::string_view StoreBatch::last_encoded() const { return impl_->scratch; }

void StoreBatch::put_member_record(StreamId stream, std::string_view member_id,
                                   std::string_view record) {
  impl_->batch.Put(impl_->store.members(), member_key(stream, member_id), record);
}

void StoreBatch::delete_member(StreamId stream, std::string_view member_id) {
  impl_->batch.Delete(impl_->store.members(), member_key(stream, member_id));
}

void StoreBatch::delete_checkpoint(StreamId stream) {
  impl_->batch.Delete(impl_->store.meta(), checkpoint_key(stream));
}

void StoreBatch::put_checkpoint(StreamId stream, const StreamCheckpoint& checkpoint) {
  impl_->scratch.clear();
  encode_checkpoint(impl_->scratch, checkpoint);
  impl_->batch.Put(impl_->store.meta(), checkpoint_key(stream), impl_->scratch);
}

std::size_t StoreBatch::byte_size() const { return impl_->batch.GetDataSize(); }
void StoreBatch::clear() { impl_->batch.Clear(); }

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

Status StateStore::open(const StoreOptions& options, std::unique_ptr<StateStore>& store) {
  return StoreOpener::open(options, nullptr, store);
}

Status StoreOpener::open(const StoreOptions& options, std::shared_ptr<rocksdb::Env> env,
                         std::unique_ptr<StateStore>& store) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::fatal("cannot create state.dir " + options.dir + ": " + ec.message());
  auto impl = std::make_unique<StateStore::Impl>();
  impl->dir = options.dir;
  impl->commit_options.sync = options.sync_commits && options.write_ahead_log;
  impl->commit_options.disableWAL = !options.write_ahead_log;
  impl->env = std::move(env);
  impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  impl->statistics = rocksdb::CreateDBStatistics();
  rocksdb::DBOptions db_options;
  if (impl->env) db_options.env = impl->env.get();
  // Only a new store gets created: in an existing one (CURRENT present) a missing column
  // family means a damaged MANIFEST, and creating it afresh would silently start over
  // from empty state while the old WALs are ignored. A store whose creation never
  // finished (kCreatingMarker) holds nothing: its files are removed and it is created.
  const std::filesystem::path dir(options.dir);
  bool existing = std::filesystem::exists(dir / "CURRENT", ec);
  rocksdb::Env& files = impl->env ? *impl->env : *rocksdb::Env::Default();
  if (existing && std::filesystem::exists(dir / kCreatingMarker, ec)) {
    rocksdb::Options destroy_options;
    if (impl->env) destroy_options.env = impl->env.get();
    const rocksdb::Status cleared = rocksdb::DestroyDB(options.dir, destroy_options);
    if (!cleared.ok()) {
      return Status::fatal("cannot clear the unfinished creation of state dir " + options.dir +
                           ": " + cleared.ToString());
    }
    std::filesystem::create_directories(dir, ec);  // DestroyDB removes it when empty
    existing = false;
  }
  if (!existing) {
    if (std::string failed = mark_creating(files, options.dir, true); !failed.empty()) {
      return Status::fatal("creating state store in " + options.dir + ": " + failed);
    }
  }
  db_options.create_if_missing = !existing;
  db_options.create_missing_column_families = !existing;
  db_options.max_background_jobs = 2;
  db_options.statistics = impl->statistics;
  db_options.info_log = open_info_log(options.dir);
  db_options.max_total_wal_size = kMaxTotalWalBytes;
  // Corruption is an error, never silently dropped data: verify every WAL the MANIFEST
  // knows of is there and whole, and check files and checksums on every read path.
  db_options.track_and_verify_wals_in_manifest = true;
  db_options.paranoid_checks = true;
  // Without the WAL, a flush must take every family's commits at once, or a crash
  // could keep member records of one commit with the checkpoint of another.
  db_options.atomic_flush = !options.write_ahead_log;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, family_options(impl->cache, kSmallFamilyWriteBuffer)},
      {std::string(kMembersFamily), family_options(impl->cache, options.write_buffer_bytes)},
      {std::string(kMetaFamily), family_options(impl->cache, kSmallFamilyWriteBuffer)}};
  // A store written before timers moved into the member records has a timers family:
  // it must be opened (RocksDB opens every family) and is then dropped.
  std::vector<std::string> existing_families;
  if (existing) {
    const rocksdb::Status listed =
        rocksdb::DB::ListColumnFamilies(db_options, options.dir, &existing_families);
    if (!listed.ok()) {
      return Status::fatal("state dir " + options.dir + " is corrupt: " + listed.ToString());
    }
  }
  const bool legacy_timers = std::find(existing_families.begin(), existing_families.end(),
                                       kLegacyTimersFamily) != existing_families.end();
  if (legacy_timers) {
    families.push_back(
        {std::string(kLegacyTimersFamily), family_options(impl->cache, kSmallFamilyWriteBuffer)});
  }
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened =
      rocksdb::DB::Open(db_options, options.dir, families, &impl->handles, &db);
  if (opened.IsCorruption() || (existing && opened.IsInvalidArgument())) {
    return Status::fatal("state dir " + options.dir + " is corrupt: " + opened.ToString());
  }
  Status s = from_rocks(opened, "opening state store in " + options.dir);
  if (!s.is_ok()) return s;
  impl->db.reset(db);
  if (legacy_timers) {
    rocksdb::ColumnFamilyHandle* timers = impl->handles.back();
    impl->handles.pop_back();
    const rocksdb::Status dropped = impl->db->DropColumnFamily(timers);
    impl->db->DestroyColumnFamilyHandle(timers);
    s = from_rocks(dropped, "dropping the timers column family of " + options.dir);
    if (!s.is_ok()) return s;
  }
  if (!existing) {
    if (std::string failed = mark_creating(files, options.dir, false); !failed.empty()) {
      return Status::fatal("creating state store in " + options.dir + ": " + failed);
    }
  }
  store.reset(new StateStore(std::move(impl)));
  return Status::ok();
}

Status StateStore::read_member(StreamId stream, std::string_view member_id, MemberState& state,
                               bool& found, std::uint64_t* digest) {
  return read_member_with(decode_member, stream, member_id, state, found, digest);
}

Status StateStore::read_member_figures(StreamId stream, std::string_view member_id,
                                       MemberState& state, bool& found) {
  return read_member_with(decode_member_figures, stream, member_id, state, found, nullptr);
}

Status StateStore::read_member_with(MemberDecoder decode, StreamId stream,
                                    std::string_view member_id, MemberState& state, bool& found,
                                    std::uint64_t* digest) {
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->members(),
                                           member_key(stream, member_id), &value);
  found = false;
  if (s.IsNotFound()) return Status::ok();
  if (!s.ok()) return from_rocks(s, "reading a member");
  std::string why;
  if (!decode(value, state, &why)) {
    return corrupt("member '" + std::string(member_id) + "' of stream " +
                   std::to_string(stream.value) + ": " + why);
  }
  if (digest != nullptr) *digest = record_digest(member_id, value);
  found = true;
  return Status::ok();
}

Status StateStore::read_checkpoint(StreamId stream, std::optional<StreamCheckpoint>& checkpoint) {
  std::string value;
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->meta(), checkpoint_key(stream), &value);
  checkpoint.reset();
  if (s.IsNotFound()) return Status::ok();
  if (!s.ok()) return from_rocks(s, "reading a checkpoint");
  StreamCheckpoint decoded;
  std::string why;
  if (!decode_checkpoint(value, decoded, &why)) {
    return corrupt("checkpoint of stream " + std::to_string(stream.value) + ": " + why);
  }
  checkpoint = std::move(decoded);
  return Status::ok();
}

Status StateStore::scan_members(
    StreamId stream,
    const std::function<Status(std::string_view member_id, std::string_view record)>& visit) {
  const std::string prefix = stream_prefix(stream);
  rocksdb::ReadOptions once;
  once.fill_cache = false;  // a one-off scan: keep the cache for the members in use
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(once, impl_->members()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice key = it->key();
    Status s = visit(std::string_view(key.data() + 4, key.size() - 4),
                     std::string_view(it->value().data(), it->value().size()));
    if (!s.is_ok()) return s;
  }
  return from_rocks(it->status(), "scanning members");
}

Status StateStore::corrupt(const std::string& what) const {
  return Status::fatal("state dir " + impl_->dir + " is corrupt: " + what);
}

Status StateStore::scan_member_ids(StreamId stream,
                                   const std::function<void(std::string_view)>& visit) {
  const std::string prefix = stream_prefix(stream);
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(options, impl_->members()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    visit(std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size()));
  }
  return from_rocks(it->status(), "scanning members");
}

// Space a commit leaves free in state.dir, besides twice the batch (its WAL record, in a
// store with a WAL, and the table file its memtable becomes): below it the commit waits
// instead of writing. A flush can still meet a full disk (RocksDB then stops writing
// until resumed), so this is a margin, not a guarantee.
constexpr std::uintmax_t kFreeSpaceReserve = 4u << 20;

Status StateStore::commit(StoreBatch& batch, bool sync) {
  const std::lock_guard lock(impl_->commit_mutex);
  // Refused before RocksDB fails: a failed WAL append stops RocksDB's writes (and the
  // WAL writer that saw the error must not be used again).
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(impl_->dir, ec);
  const std::uintmax_t needed = 2 * std::uintmax_t{batch.byte_size()} + kFreeSpaceReserve;
  if (!ec && space.available < needed) {
    return Status::error(ErrorKind::retry, "committing state in " + impl_->dir +
                                               ": No space left on device (" +
                                               std::to_string(space.available) + " bytes free, " +
                                               std::to_string(needed) + " needed before writing)");
  }
  if (Status resumed = impl_->resume_if_stopped(); !resumed.is_ok()) return resumed;
  rocksdb::WriteOptions write_options = impl_->commit_options;
  write_options.sync = write_options.sync && sync;
  Status s = from_rocks(impl_->db->Write(write_options, &batch.impl_->batch), "committing state");
  if (s.is_ok()) batch.clear();
  if (!s.is_ok() && s.kind() == ErrorKind::retry) impl_->resume_needed = true;
  return s;
}

Status StateStore::flush() {
  const std::lock_guard lock(impl_->commit_mutex);
  if (Status resumed = impl_->resume_if_stopped(); !resumed.is_ok()) return resumed;
  rocksdb::FlushOptions options;
  options.wait = true;
  Status s = from_rocks(impl_->db->Flush(options, {impl_->members(), impl_->meta()}),
                        "flushing state to " + impl_->dir);
  if (!s.is_ok() && s.kind() == ErrorKind::retry) impl_->resume_needed = true;
  return s;
}

Status StateStore::drop_stream(StreamId stream) {
  std::string end;
  bytes::put_fixed32(end, stream.value + 1);  // stream ids stay below 2^32 - 1 (partitions)
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(impl_->members(), stream_prefix(stream), end);
  if (s.ok()) s = batch.Delete(impl_->meta(), checkpoint_key(stream));
  rocksdb::WriteOptions unsynced = impl_->commit_options;
  unsynced.sync = false;
  if (s.ok()) s = impl_->db->Write(unsynced, &batch);
  return from_rocks(s, "dropping stream " + std::to_string(stream.value));
}

StoreFigures StateStore::figures() const {
  StoreFigures f;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->dir, ec)) {
    if (entry.is_regular_file(ec)) f.disk_bytes += entry.file_size(ec);
  }
  f.block_cache_hits = impl_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  f.block_cache_misses = impl_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  f.write_stall_micros = impl_->statistics->getTickerCount(rocksdb::STALL_MICROS);
  f.wal_syncs = impl_->statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED);
  f.point_reads = impl_->statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ);
  return f;
}

}  // namespace segmentd
