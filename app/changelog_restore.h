// Brings one partition's local state up to its state changelog (SPEC 7) when the
// partition is assigned, before its stream is restored from the local store.
//
// With the local checkpoint's changelog offset L and the changelog's offsets [low, high):
// - no local checkpoint: the partition's local records (left by a restore that was cut
//   short) are dropped and the whole changelog is read;
// - L + 1 == high: up to date, nothing read;
// - low <= L < high: the records after L are read and applied on top;
// - the changelog is empty: the local state (if any) is the only copy: it is copied to
//   the changelog at the next commit (`seed`: a store made before the changelog
//   existed, or a changelog topic deleted and created again);
// - otherwise (a local checkpoint without offset while the changelog has records, L
//   beyond the end or below low: a recreated or truncated topic): the local state is
//   dropped and the whole changelog is read.
// Only member records before the last checkpoint record read are applied; those after
// it belong to a commit that never finished: they are not applied and their members are
// returned in `unfinished`, for MemberCache::rewrite_in_changelog. Committed records are
// combined per member in memory (up to 256 MiB) and written in key order, so a member's
// older records are neither decoded nor written. Every record written is validated
// (member_codec.h); a bad one is a fatal error naming topic, partition and offset. The
// writes are unsynced: the local checkpoint is removed before the first and written with
// the last, and a crash keeps a prefix of the writes (state_store.h), so a restore cut
// short is done again from the start, never half trusted (the next commit syncs). The
// member tally is then checked as at every restore (MemberCache::load_timers).
//
// With `stop` (standby replicas, standby_replicas.h), the read ends early once *stop is
// true, and what was read up to the last checkpoint record is applied as at the end:
// the local state is left at a checkpoint of the changelog, so the next restore goes on
// from there (`unfinished` then also names members of commits not read to their end).
// Not thread-safe: one thread per store stream; different streams' restores may run on
// different threads at once (each with its own reader).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/kafka/changelog_reader.h"
#include "state/state_store.h"

namespace segmentd {

struct ChangelogRestore {
  std::uint64_t records = 0;  // changelog records read
  std::uint64_t bytes = 0;    // their keys and values
  // Changelog offsets after the local checkpoint when the restore began (all of them
  // when the whole changelog is read): an upper bound of the records to read.
  std::int64_t behind = 0;
  std::vector<std::string> unfinished;
  bool seed = false;
};

// Called every few thousand records with the records and bytes read since the last call.
using RestoreProgress = std::function<void(std::uint64_t records, std::uint64_t bytes)>;

Status restore_from_changelog(StateStore& store, ChangelogReader& reader, std::int32_t partition,
                              const RestoreProgress& progress, ChangelogRestore& restore,
                              const std::atomic<bool>* stop = nullptr);

}  // namespace segmentd
