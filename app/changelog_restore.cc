#include "app/changelog_restore.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <utility>

#include "app/log.h"
#include "app/partition_position.h"
#include "state/changelog_record.h"
#include "state/member_codec.h"

namespace segmentd {

namespace {

constexpr std::size_t kBatchBytes = 32u << 20;
// Committed records are combined per member in memory up to this size, then written in
// key order: a member's older records (those compaction has not removed yet) are never
// written, and sorted inserts are the store's cheapest.
constexpr std::size_t kCombineBytes = 256u << 20;
constexpr std::uint64_t kProgressEvery = 16384;

// A member record read, not yet written: validated when written (a record a later one
// of the same member replaces is never decoded).
struct MemberRecord {
  std::optional<std::string> record;  // nullopt: tombstone
  std::int64_t offset = 0;
};

struct PendingMember {
  std::string id;
  MemberRecord record;
};

class Restorer {
 public:
  Restorer(StateStore& store, ChangelogReader& reader, std::int32_t partition,
           const RestoreProgress& progress, ChangelogRestore& out, const std::atomic<bool>* stop)
      : store_(store),
        reader_(reader),
        partition_(partition),
        stream_{static_cast<std::uint32_t>(partition)},
        progress_(progress),
        out_(out),
        stop_(stop),
        batch_(store) {}

  Status run(std::int64_t from, std::int64_t to, bool on_top_of_local) {
    on_top_of_local_ = on_top_of_local;
    out_.behind = to - from;
    Status s = reader_.read(
        partition_, from, to, [this](const ChangelogEntry& entry) { return apply(entry); }, stop_);
    if (!s.is_ok()) return s;
    if (progress_) progress_(unreported_records_, unreported_bytes_);
    for (PendingMember& m : pending_) out_.unfinished.push_back(std::move(m.id));
    s = write_latest(false);
    if (!s.is_ok()) return s;
    std::sort(out_.unfinished.begin(), out_.unfinished.end());
    out_.unfinished.erase(std::unique(out_.unfinished.begin(), out_.unfinished.end()),
                          out_.unfinished.end());
    if (!last_checkpoint_) return Status::ok();  // nothing committed since the local state
    batch_.put_checkpoint(stream_, *last_checkpoint_);
    return store_.commit(batch_, false);
  }

 private:
  Status corrupt(std::int64_t offset, const std::string& why) const {
    return Status::fatal("state changelog " + reader_.topic() + " partition " +
                         std::to_string(partition_) + " offset " + std::to_string(offset) +
                         " is corrupt: " + why);
  }

  Status apply(const ChangelogEntry& entry) {
    ++out_.records;
    out_.bytes += entry.key.size() + entry.value.value_or(std::string_view()).size();
    ++unreported_records_;
    unreported_bytes_ += entry.key.size() + entry.value.value_or(std::string_view()).size();
    if (unreported_records_ >= kProgressEvery && progress_) {
      progress_(unreported_records_, unreported_bytes_);
      unreported_records_ = unreported_bytes_ = 0;
    }
    std::string_view member_id;
    switch (classify_changelog_key(entry.key, member_id)) {
      case ChangelogKey::member: {
        pending_.push_back({std::string(member_id),
                            {entry.value ? std::optional<std::string>(*entry.value) : std::nullopt,
                             entry.offset}});
        return Status::ok();
      }
      case ChangelogKey::checkpoint:
        return checkpoint(entry);
      case ChangelogKey::unknown:
        break;
    }
    return corrupt(entry.offset, "a record whose key is neither a member's nor the checkpoint's");
  }

  Status checkpoint(const ChangelogEntry& entry) {
    StreamCheckpoint checkpoint;
    PartitionPosition position;
    std::string why;
    if (!entry.value) return corrupt(entry.offset, "a null checkpoint");
    if (!decode_checkpoint(*entry.value, checkpoint, &why)) {
      return corrupt(entry.offset, "checkpoint: " + why);
    }
    if (!decode_partition_position(checkpoint.source_position, position)) {
      return corrupt(entry.offset, "checkpoint: its input position is not a Kafka position");
    }
    position.changelog_offset = entry.offset;
    checkpoint.source_position = encode_partition_position(position);
    if (on_top_of_local_ && !local_checkpoint_removed_) {
      // From here on the local records are ahead of the local checkpoint: without one, a
      // restore cut short starts over.
      batch_.delete_checkpoint(stream_);
      Status s = store_.commit(batch_, false);
      if (!s.is_ok()) return s;
      local_checkpoint_removed_ = true;
    }
    for (PendingMember& m : pending_) {
      const std::size_t bytes = entry_bytes(m.id, m.record);
      auto [it, inserted] = latest_.try_emplace(std::move(m.id), std::move(m.record));
      if (!inserted) {
        latest_bytes_ -= entry_bytes(it->first, it->second);
        it->second = std::move(m.record);
      }
      latest_bytes_ += bytes;
    }
    pending_.clear();
    last_checkpoint_ = std::move(checkpoint);
    return latest_bytes_ >= kCombineBytes ? write_latest(true) : Status::ok();
  }

  // Writes the combined records in key order (in unsynced batches; the last one stays in
  // batch_ unless `commit_all`).
  Status write_latest(bool commit_all) {
    std::vector<const std::pair<const std::string, MemberRecord>*> sorted;
    sorted.reserve(latest_.size());
    for (const auto& entry : latest_) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    std::string why;
    for (const auto* entry : sorted) {
      const MemberRecord& m = entry->second;
      if (m.record) {
        scratch_ = MemberState{};
        if (!decode_member(*m.record, scratch_, &why)) {
          return corrupt(m.offset, "member '" + entry->first + "': " + why);
        }
        batch_.put_member_record(stream_, entry->first, *m.record);
      } else {
        batch_.delete_member(stream_, entry->first);
      }
      if (batch_.byte_size() >= kBatchBytes) {
        Status s = store_.commit(batch_, false);
        if (!s.is_ok()) return s;
      }
    }
    latest_.clear();
    latest_bytes_ = 0;
    return commit_all && batch_.byte_size() > 0 ? store_.commit(batch_, false) : Status::ok();
  }

  static std::size_t entry_bytes(const std::string& id, const MemberRecord& m) {
    constexpr std::size_t kOverhead = 104;  // hash node, string objects, offset
    return id.size() + (m.record ? m.record->size() : 0) + kOverhead;
  }

  StateStore& store_;
  ChangelogReader& reader_;
  std::int32_t partition_;
  StreamId stream_;
  const RestoreProgress& progress_;
  ChangelogRestore& out_;
  const std::atomic<bool>* stop_;
  StoreBatch batch_;
  bool on_top_of_local_ = false;
  bool local_checkpoint_removed_ = false;
  std::vector<PendingMember> pending_;  // since the last checkpoint record
  // Committed records not yet written, the latest per member (nullopt: tombstone).
  std::unordered_map<std::string, MemberRecord> latest_;
  std::size_t latest_bytes_ = 0;
  std::optional<StreamCheckpoint> last_checkpoint_;
  MemberState scratch_;
  std::uint64_t unreported_records_ = 0;
  std::uint64_t unreported_bytes_ = 0;
};

}  // namespace

Status restore_from_changelog(StateStore& store, ChangelogReader& reader, std::int32_t partition,
                              const RestoreProgress& progress, ChangelogRestore& restore,
                              const std::atomic<bool>* stop) {
  const StreamId stream{static_cast<std::uint32_t>(partition)};
  std::optional<StreamCheckpoint> local;
  Status s = store.read_checkpoint(stream, local);
  if (!s.is_ok()) return s;
  std::int64_t local_offset = -1;
  if (local) {
    PartitionPosition position;
    if (!decode_partition_position(local->source_position, position)) {
      return Status::fatal("state.dir holds a checkpoint for partition " +
                           std::to_string(partition) +
                           " that is not a Kafka position (was it used by `segmentd replay`?)");
    }
    local_offset = position.changelog_offset;
  }
  std::int64_t low = 0;
  std::int64_t high = 0;
  s = reader.watermarks(partition, low, high);
  if (!s.is_ok()) return s;
  const std::string where = reader.topic() + " partition " + std::to_string(partition);
  if (low == high) {
    restore.seed = local.has_value();
    if (local && local_offset >= 0) {
      log::warn("state_changelog_empty",
                {{"changelog", where},
                 {"action", "the local state is copied to the changelog at the next commit"}});
    }
    return Status::ok();
  }
  if (local && local_offset + 1 == high) return Status::ok();
  Restorer restorer(store, reader, partition, progress, restore, stop);
  if (local && local_offset >= low && local_offset < high) {
    return restorer.run(local_offset + 1, high, true);
  }
  if (local) {
    log::warn("local_state_replaced",
              {{"partition", std::to_string(partition)},
               {"changelog", where},
               {"detail", local_offset < 0 ? "the local state predates the changelog"
                                           : "the changelog no longer holds the local checkpoint "
                                             "(recreated or truncated topic)"},
               {"action", "restoring the partition from the changelog"}});
  }
  s = store.drop_stream(stream);
  if (!s.is_ok()) return s;
  return restorer.run(low, high, false);
}

}  // namespace segmentd
