#include "state/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <vector>

#include "state/varint.h"

namespace segmentd {

namespace {

constexpr std::string_view kMembersFamily = "members";
constexpr std::string_view kTimersFamily = "timers";
constexpr std::string_view kMetaFamily = "meta";
constexpr std::string_view kCheckpointPrefix = "checkpoint/";

std::string member_key(StreamId stream, std::string_view member_id) {
  std::string key;
  key.reserve(4 + member_id.size());
  bytes::put_fixed32(key, stream.value);
  key.append(member_id);
  return key;
}

std::string timer_key(StreamId stream, EpochMs due, std::string_view member_id) {
  std::string key;
  key.reserve(12 + member_id.size());
  bytes::put_fixed32(key, stream.value);
  bytes::put_fixed64(key, bytes::biased(due.ms));
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

rocksdb::ColumnFamilyOptions family_options(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kLZ4Compression;
  options.write_buffer_size = 64u << 20;
  return options;
}

}  // namespace

struct StateStore::Impl {
  std::string dir;
  bool sync_commits = true;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
  std::unique_ptr<rocksdb::DB> db;
  bool resume_needed = false;  // a commit failed retryably: RocksDB stopped writes
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // default, members, timers, meta
  rocksdb::ColumnFamilyHandle* members() const { return handles[1]; }
  rocksdb::ColumnFamilyHandle* timers() const { return handles[2]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles[3]; }

  ~Impl() {
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

void StoreBatch::put_member(StreamId stream, std::string_view member_id,
                            const MemberState& state) {
  impl_->scratch.clear();
  encode_member(impl_->scratch, state);
  impl_->batch.Put(impl_->store.members(), member_key(stream, member_id), impl_->scratch);
}

void StoreBatch::move_timer(StreamId stream, std::string_view member_id,
                            std::optional<EpochMs> from, std::optional<EpochMs> to) {
  if (from == to) return;
  if (from) impl_->batch.Delete(impl_->store.timers(), timer_key(stream, *from, member_id));
  if (to) impl_->batch.Put(impl_->store.timers(), timer_key(stream, *to, member_id), rocksdb::Slice());
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
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::fatal("cannot create state.dir " + options.dir + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->dir = options.dir;
  impl->sync_commits = options.sync_commits;
  impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  impl->statistics = rocksdb::CreateDBStatistics();
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.statistics = impl->statistics;
  const rocksdb::ColumnFamilyOptions cf = family_options(impl->cache);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf},
      {std::string(kMembersFamily), cf},
      {std::string(kTimersFamily), cf},
      {std::string(kMetaFamily), cf}};
  rocksdb::DB* db = nullptr;
  Status s = from_rocks(rocksdb::DB::Open(db_options, options.dir, families, &impl->handles, &db),
                        "opening state store in " + options.dir);
  if (!s.is_ok()) return s;
  impl->db.reset(db);
  store.reset(new StateStore(std::move(impl)));
  return Status::ok();
}

Status StateStore::read_member(StreamId stream, std::string_view member_id, MemberState& state,
                               bool& found) {
  std::string value;
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->members(), member_key(stream, member_id), &value);
  found = false;
  if (s.IsNotFound()) return Status::ok();
  if (!s.ok()) return from_rocks(s, "reading a member");
  if (!decode_member(value, state)) {
    return Status::fatal("corrupt member record in the state store (member id not logged)");
  }
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
  if (!decode_checkpoint(value, decoded)) return Status::fatal("corrupt checkpoint record");
  checkpoint = std::move(decoded);
  return Status::ok();
}

Status StateStore::scan_timers(StreamId stream,
                               const std::function<void(EpochMs, std::string_view)>& visit) {
  const std::string prefix = stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->timers()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() < 12) return Status::fatal("corrupt timer key in the state store");
    bytes::Reader due_reader(std::string_view(key.data() + 4, 8));
    const auto due = static_cast<std::int64_t>(due_reader.fixed64() ^ (std::uint64_t{1} << 63));
    visit(EpochMs{due}, std::string_view(key.data() + 12, key.size() - 12));
  }
  return from_rocks(it->status(), "scanning timers");
}

// Space a commit leaves free in state.dir, besides twice the batch (WAL record and
// memtable growth): below it the commit waits instead of writing.
constexpr std::uintmax_t kFreeSpaceReserve = 4u << 20;

Status StateStore::commit(StoreBatch& batch) {
  // Refused before RocksDB fails: a failed WAL append stops RocksDB's writes (and the
  // WAL writer that saw the error must not be used again).
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(impl_->dir, ec);
  const std::uintmax_t needed = 2 * std::uintmax_t{batch.byte_size()} + kFreeSpaceReserve;
  if (!ec && space.available < needed) {
    return Status::error(ErrorKind::retry, "committing state: not enough free space in " +
                                               impl_->dir + " (" + std::to_string(space.available) +
                                               " bytes free, " + std::to_string(needed) +
                                               " needed)");
  }
  if (impl_->resume_needed) {
    Status resumed = from_rocks(impl_->db->Resume(), "resuming the state store");
    if (!resumed.is_ok()) return resumed;
    impl_->resume_needed = false;
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->sync_commits;
  Status s = from_rocks(impl_->db->Write(write_options, &batch.impl_->batch), "committing state");
  if (s.is_ok()) batch.clear();
  if (!s.is_ok() && s.kind() == ErrorKind::retry) impl_->resume_needed = true;
  return s;
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
  return f;
}

}  // namespace segmentd
