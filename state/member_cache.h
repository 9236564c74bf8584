// The member states of one stream, cached in memory over the state store (the
// engine's MemberTable). Changed members (each record carries the member's timer) are
// written in id order, with the stream checkpoint, in one atomic batch by commit(): one
// write per changed member.
//
// Memory: every cached member is held either decoded (a MemberState, as load() gives it)
// or encoded at rest (its committed record bytes, one heap block, several times smaller).
// load() decodes an encoded member in place and keeps the record until the member changes
// (the commit that writes it brings the new one, kept once the members have outgrown the
// budget: before that nothing is encoded and the record would double what a member
// holds), so encoding it again is free. After a commit,
// while the members hold more than the memory budget (what they really hold on the heap: map slot
// and node, id, state or record), the least recently used decoded members are encoded,
// and only when every member is encoded and the budget is still exceeded are the least
// recently used dropped; those are read back from RocksDB when next needed.
//
// A commit's write batch, the memtable it is copied into and the changed members' new
// records are each as large as the changed members' records: batch_full() tells a caller
// that chooses when to commit (replay) when they reach commit_batch_bytes.
//
// Only committed states are ever encoded or dropped, so a member held encoded or read
// back always has its latest state.
// Errors reading RocksDB throw StateStoreError (fatal: the state cannot be trusted).
//
// Integrity: the cache keeps the stream's StoreTally (member records, timers, sum of
// record digests) up to date through its commits and writes it into every checkpoint;
// load_timers() recomputes it from the store and refuses a store that disagrees with
// its checkpoint ("state dir X is corrupt: ..."), so lost or stale files are an error,
// never wrong output.
//
// Changelog (SPEC 7): with a ChangelogSink, every commit also sends the changed member
// records (the same bytes as the store's, encoded once) and then the checkpoint to the
// stream's changelog partition (changelog_record.h). The commit is then two steps:
// stage() puts everything in the store batch and hands it to the changelog; the caller
// has it acknowledged, then write_staged() writes the batch, with the checkpoint's
// source_position of the caller's choosing (the changelog offset of its checkpoint
// record included), so the store is never ahead of the changelog. stage() is
// stage_members() (the batch, the member records to the changelog) then
// send_staged_checkpoint() (the checkpoint record), which a caller may hold back until the
// output of the work staged is acknowledged.
//
// Processing may go on between stage and write (issue 10): the batch holds the members as
// they were when staged, members changed after that are written by the next commit, and
// eviction (after a write) keeps every member changed since the last write.
//
// The stage itself may be spread over the processing (issue 10: the loop then pauses for a
// few members at a time, not for all a commit changed): begin_stage() fixes the commit
// point (the members changed until now, the checkpoint) and stage_some() encodes them a
// few at a time (their records to the changelog as they go), until stage_complete(). A
// member of the commit not encoded yet when load() gives it out is encoded first, so
// every record staged is the member's state at the commit point. stage_members() is
// begin_stage() with the whole stage at once. A failed
// write (or a second stage before the write) puts the staged members back among the
// changed ones. The write itself may run on another thread: prepare_write(), then
// write_prepared() there, then finish_write() with its outcome.
//
// Not thread-safe: owned by the stream's processing thread, but for write_prepared().
#pragma once

#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/changelog_sink.h"
#include "engine/flat_id_map.h"
#include "engine/member_table.h"
#include "engine/status.h"
#include "engine/timer_index.h"
#include "state/state_store.h"
#include "state/stored_member_ids.h"

namespace segmentd {

class StateStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MemberCache final : public MemberTable {
 public:
  // A quarter of the members family's RocksDB write buffer (state_store.cc): see
  // batch_full().
  static constexpr std::size_t kCommitBatchBytes = 16u << 20;

  // `changelog` (may be null: no changelog) must outlive the cache.
  MemberCache(StateStore& store, StreamId stream, std::size_t budget_bytes,
              ChangelogSink* changelog = nullptr,
              std::size_t commit_batch_bytes = kCommitBatchBytes);

  MemberState& load(std::string_view member_id) override;
  // The member's state as load() would give it, without caching it (for reads from
  // outside the processing, such as GET /members/{id}).
  MemberState peek(std::string_view member_id);
  // Decodes the figures of a member held encoded, and reads those of one not in memory,
  // into a scratch state without caching it (the daily sweep reads many members it does
  // not change; decode_member_figures).
  const MemberState& read_figures(std::string_view member_id) override;
  void mark_changed() override;
  // Step 0 asks the CPU for the member's map slot, step 1 for its node, step 2 for its
  // state or the first bytes of its record held encoded: a caller that knows which
  // members come next (replay) issues each step a few events ahead of the load, so that
  // the load does not wait for memory.
  void prefetch(std::string_view member_id, int step) override;
  // Persisted and resident members; throws StateStoreError when the scan fails.
  std::vector<std::string> member_ids() override;

  // For a cache that is its stream's only writer in the store (replay): keep the ids of
  // the stream's stored members (StoredMemberIds), so that loading a member that has no
  // record yet (a member's first event) reads nothing from RocksDB. Call before
  // load_timers(), whose scan adds the members stored already.
  void track_stored_ids() {
    if (tally_) throw std::logic_error("track_stored_ids() after load_timers()");
    stored_ids_.emplace();
  }
  // Restores the stream: fills `timers` with the timers of its member records and checks
  // its members and timers against its checkpoint's tally (one scan of the stream's
  // member records).
  Status load_timers(TimerIndex& timers);
  // Writes changed members (timers included) and `checkpoint` (with the stream's
  // tally in place of checkpoint.tally) atomically. After a failure nothing was written
  // and the same changes are written by the next commit.
  Status commit(const StreamCheckpoint& checkpoint);
  // commit() in two steps (see above). After stage(), the next commit call must be
  // write_staged(), or stage() again after a failure the caller does not stop for.
  Status stage(const StreamCheckpoint& checkpoint);
  Status stage_members(const StreamCheckpoint& checkpoint);
  // stage_members() spread over the processing (see above): begin_stage() stages at most
  // `members` of them, each stage_some() call at most that many more. Then, when
  // stage_complete(), the checkpoint record may be sent and the batch written.
  Status begin_stage(const StreamCheckpoint& checkpoint, std::size_t members);
  void stage_some(std::size_t members);
  bool stage_complete() const { return staged_.has_value() && left_to_stage_ == 0; }
  // REQUIRES: stage_complete().
  void send_staged_checkpoint();
  // `sync` false: the WAL is synced by a later commit (StateStore::commit).
  Status write_staged(const std::string& source_position, bool sync = true);
  // write_staged() in three steps. write_prepared() touches only the staged batch and the
  // store: it may run on any thread while the cache goes on loading and changing members
  // (nothing but stage, write or finish_write until it is done).
  void prepare_write(const std::string& source_position);
  Status write_prepared(bool sync);
  Status finish_write(Status written);

  // The next stage() first copies every member record in the store to the changelog (a
  // store made before the changelog existed, or whose changelog was emptied).
  void seed_changelog() { seed_changelog_ = true; }
  // Members the changelog holds an unfinished commit's record of: the next stage()
  // writes their committed record again, or a tombstone for those the store does not
  // have, so that compaction cannot leave the unfinished record as their latest.
  void rewrite_in_changelog(const std::vector<std::string>& member_ids);
  // Members in memory, decoded or encoded; of them, those held encoded.
  std::size_t resident_members() const { return entries_.size(); }
  std::size_t encoded_members() const { return encoded_members_; }
  std::size_t resident_bytes() const { return resident_bytes_; }
  // The members hold more than the budget: members are dropped or encoded only by a
  // commit, so a caller that can choose when to commit (replay) commits now.
  bool over_budget() const { return resident_bytes_ > budget_bytes_; }
  // The next commit's write batch would hold about commit_batch_bytes of member records
  // (the changed members times the mean record size of the latest commit; 256 bytes
  // before the first): a caller that can choose when to commit (replay) commits now. The
  // batch, the memtable it is copied into and the records the changed members keep are
  // each that large at a commit, so an unbounded batch raises the peak memory by several
  // times its size.
  bool batch_full() const { return changed_.size() * mean_record_bytes_ >= commit_batch_bytes_; }

 private:
  // Links an entry into decoded_ or encoded_; leaves its list when the entry is erased.
  using RecencyHook = boost::intrusive::list_member_hook<
      boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;
  // A member record's bytes in one heap block of their size (half the size of a
  // std::string in an entry, and no spare capacity).
  class RecordBytes {
   public:
    RecordBytes() = default;
    explicit RecordBytes(std::string_view bytes)
        : data_(std::make_unique_for_overwrite<char[]>(bytes.size())),
          size_(static_cast<std::uint32_t>(bytes.size())) {
      bytes.copy(data_.get(), bytes.size());
    }
    RecordBytes(RecordBytes&& other) noexcept
        : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}
    RecordBytes& operator=(RecordBytes&& other) noexcept {
      data_ = std::move(other.data_);
      size_ = std::exchange(other.size_, 0);
      return *this;
    }
    std::string_view view() const { return {data_.get(), size_}; }
    bool empty() const { return size_ == 0; }

   private:
    std::unique_ptr<char[]> data_;
    std::uint32_t size_ = 0;
  };
  // Packed small (few fields, no optionals): a million members hold a million entries.
  struct Entry {
    std::unique_ptr<MemberState> state;      // null while held encoded
    RecordBytes record;                      // the committed record (always while held encoded)
    FlatIdMap<Entry>::Node* node = nullptr;  // the map node that holds this entry
    RecencyHook recency;
    std::uint64_t persisted_digest = 0;  // record_digest() of the stored record, if any
    std::uint32_t bytes = 0;             // estimated memory held
    bool has_record = false;             // the store holds a record of this member
    bool had_timer = false;              // ... with a timer
    bool changed = false;
    bool staging = false;  // in the commit being staged, not encoded for it yet
  };
  static_assert(sizeof(Entry) <= 64, "every resident member holds one: keep it to a cache line");
  using Map = FlatIdMap<Entry>;
  // Most recently used first.
  using RecencyList =
      boost::intrusive::list<Entry,
                             boost::intrusive::member_hook<Entry, RecencyHook, &Entry::recency>,
                             boost::intrusive::constant_time_size<false>>;

  // What a read decodes of a member record: all of it, or what read_figures() gives.
  enum class Decode { whole, figures };
  // Reads a member that is not resident from the store; `found` false, without a read,
  // when the tracked stored ids say it has no record.
  void read_stored(std::string_view member_id, MemberState& state, bool& found,
                   std::uint64_t* digest = nullptr, Decode decode = Decode::whole);
  // The member as peek() (Decode::whole) or read_figures() gives it: its state when held
  // decoded, else decoded into `into` from its record held encoded or from the store (a
  // default state when the store has none), without caching it.
  const MemberState& read_uncached(std::string_view member_id, MemberState& into, Decode decode);
  // Decodes an entry held encoded; adjusts the memory accounting.
  void decode_entry(Map::Node& node);
  void evict_over_budget();
  // Puts the staged members back among the changed ones and drops the staged batch.
  void unstage();
  // Encodes the staged member at `index` of staged_members_ into the stage.
  void stage_member(std::size_t index);
  // Asks the CPU for the memory that staging (or finishing the write of) the members a
  // few places after `index` in staged_members_ will read. A hint: changes nothing.
  void prefetch_staged(std::size_t index) const;
  // Stages the member of `node` now (it is about to be given out to be changed).
  void stage_early(Map::Node& node);
  // Every member staged: the tally and the checkpoint record.
  void complete_stage();
  // Encodes the least recently used decoded members until the budget's target is met;
  // true when it is.
  bool encode_least_recent(std::size_t target);
  // Computes the stream's tally from the store into tally_ and checks it against the
  // checkpoint's; calls `visit_timer` for each timer.
  Status restore_tally(const std::function<void(EpochMs, std::string_view)>& visit_timer);

  StateStore& store_;
  StreamId stream_;
  std::size_t budget_bytes_;
  std::size_t commit_batch_bytes_;
  // The members held decoded, and those held encoded, each by recency: an eviction takes
  // the least recent without looking at the others (declared before entries_, whose
  // entries leave them as they are destroyed).
  RecencyList decoded_, encoded_;
  Map entries_;
  std::vector<Map::Node*> changed_;  // since the last stage
  // stage()'s sort of changed_: (the id's first 8 bytes as id_prefix() gives them, node);
  // kept while staging, to find a member's place in staged_members_.
  std::vector<std::pair<std::uint64_t, Map::Node*>> sort_keys_;
  // The commit under way: its members (in key order), with the digest of the record staged
  // and whether it holds a timer; the next one stage_some() looks at, and how many are
  // not encoded yet.
  std::vector<Map::Node*> staged_members_;
  std::size_t next_to_stage_ = 0;
  std::size_t left_to_stage_ = 0;
  std::size_t staged_record_bytes_ = 0;
  StoreTally staged_tally_;
  std::vector<std::uint64_t> digests_;
  std::vector<bool> staged_with_timer_;
  std::string staged_checkpoint_record_;     // for the changelog
  std::vector<RecordBytes> staged_records_;  // the staged members' records
  Map::Node* last_loaded_ = nullptr;
  std::size_t resident_bytes_ = 0;
  std::size_t encoded_members_ = 0;
  std::string encode_buffer_;
  MemberState read_scratch_;  // what read_figures() returns for a member not held decoded
  std::size_t mean_record_bytes_ = 256;  // of the latest commit's records
  // Set by the first eviction: until then no member is held encoded, and changed members
  // drop their committed record after the commit instead of holding it beside their state.
  bool keep_records_ = false;
  StoreBatch batch_;
  std::optional<StoreTally> tally_;            // nullopt until restored
  std::optional<StoredMemberIds> stored_ids_;  // set by track_stored_ids()
  ChangelogSink* changelog_;
  bool seed_changelog_ = false;
  std::vector<std::string> tombstones_;     // member ids for the next stage()
  std::optional<StreamCheckpoint> staged_;  // set by stage(), with the new tally
};

}  // namespace segmentd
