// Crash consistency of a commit: a write error injected at every file write of opening
// the store, committing one batch and closing it (state/io_fault_injection.h). After
// each, the commit reports an error unless it was durable, nothing crashes, and the
// store reopens holding exactly the state before or after the commit, never a mix. The
// same for a store without the WAL (replay's), whose commit is durable once flushed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "state/io_fault_injection.h"
#include "state/member_cache.h"
#include "state/state_store.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

using testing::TempDir;

constexpr StreamId kStream{1};
constexpr int kMembers = 15;

// What a reopened store holds for the stream: each member's seq and timer, the timers,
// and the checkpoint's source position.
struct Snapshot {
  std::map<std::string, std::string> members;
  std::vector<std::string> timers;
  std::string position;
  bool operator==(const Snapshot&) const = default;
};

std::string member_id(int i) { return "m" + std::to_string(i); }

// Commit "A": members 0-9, every third with a timer. Commit "B": members 0-4 change
// (timers set, moved or cancelled) and members 10-14 are new.
void apply_commit(MemberCache& cache, char which) {
  const int end = which == 'A' ? 10 : kMembers;
  for (int i = 0; i < end; ++i) {
    if (which == 'B' && i >= 5 && i < 10) continue;
    MemberState& m = cache.load(member_id(i));
    m.known = true;
    m.seq += 1;
    m.recent_events.add(std::string(1, which) + std::to_string(i), 32);
    if (which == 'A') {
      if (i % 3 == 0) m.timer = EpochMs{1'000 + i};
    } else if (m.timer) {
      if (i % 2 == 0)
        m.timer.reset();
      else
        m.timer = EpochMs{5'000 + i};
    } else {
      m.timer = EpochMs{9'000 + i};
    }
    cache.mark_changed();
  }
}

Status commit(MemberCache& cache, char which) {
  apply_commit(cache, which);
  StreamCheckpoint checkpoint;
  checkpoint.source_position = std::string("after ") + which;
  return cache.commit(checkpoint);
}

StoreOptions with_wal(const std::filesystem::path& dir) { return {.dir = dir.string()}; }
StoreOptions without_wal(const std::filesystem::path& dir) {
  return {.dir = dir.string(), .write_ahead_log = false};
}

Snapshot read_back(const std::string& dir) {
  std::unique_ptr<StateStore> store;
  const Status opened = StateStore::open({dir}, store);
  INFO(opened.message());
  REQUIRE(opened.is_ok());
  MemberCache cache(*store, kStream, 1 << 20);
  TimerIndex index;
  const Status restored = cache.load_timers(index);
  INFO(restored.message());
  REQUIRE(restored.is_ok());
  Snapshot snapshot;
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(kStream, checkpoint).is_ok());
  if (checkpoint) snapshot.position = checkpoint->source_position;
  for (int i = 0; i < kMembers; ++i) {
    MemberState m;
    bool found = false;
    REQUIRE(store->read_member(kStream, member_id(i), m, found).is_ok());
    if (!found) continue;
    snapshot.members[member_id(i)] =
        std::to_string(m.seq) + "/" + (m.timer ? std::to_string(m.timer->ms) : "-");
  }
  // The timers restored from the member records, in firing order.
  while (auto entry = index.pop_due(EpochMs{kStoredTimeLimit})) {
    snapshot.timers.push_back(std::to_string(entry->due.ms) + "@" + entry->member_id);
  }
  return snapshot;
}

void copy_dir(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// What happened when `dir` was opened on a faulty file system, B committed (and, in a
// store without the WAL, flushed: what makes it durable there) and the store closed.
struct Attempt {
  bool committed = false;
  std::uint64_t commit_from = 0;  // the commit's write operations are (from, to]
  std::uint64_t commit_to = 0;
};

Attempt try_commit_b(const StoreOptions& options, const std::shared_ptr<IoFaults>& faults) {
  Attempt attempt;
  std::unique_ptr<StateStore> store;
  if (!open_store_with_faults(options, faults, store).is_ok()) return attempt;
  MemberCache cache(*store, kStream, 1 << 20);
  TimerIndex index;
  if (!cache.load_timers(index).is_ok()) return attempt;
  attempt.commit_from = faults->operations();
  attempt.committed = commit(cache, 'B').is_ok();
  if (attempt.committed && !options.write_ahead_log) attempt.committed = store->flush().is_ok();
  attempt.commit_to = faults->operations();
  return attempt;
}

// The store in `baseline` holds commit A, durably.
void commit_a(const StoreOptions& baseline) {
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(baseline, store).is_ok());
  MemberCache cache(*store, kStream, 1 << 20);
  TimerIndex index;
  REQUIRE(cache.load_timers(index).is_ok());
  REQUIRE(commit(cache, 'A').is_ok());
  if (!baseline.write_ahead_log) REQUIRE(store->flush().is_ok());
}

void check_every_write_error(StoreOptions (*options)(const std::filesystem::path&)) {
  TempDir root;
  const std::filesystem::path baseline = root.path / "baseline";
  const std::filesystem::path work = root.path / "work";
  commit_a(options(baseline));
  const Snapshot before = read_back(baseline.string());
  REQUIRE(before.position == "after A");

  // A run without faults: how many write operations there are, and the state after.
  copy_dir(baseline, work);
  auto counter = std::make_shared<IoFaults>();
  const Attempt clean = try_commit_b(options(work), counter);
  REQUIRE(clean.committed);
  REQUIRE(clean.commit_to > clean.commit_from);  // the commit writes (WAL or table files)
  const std::uint64_t operations = counter->operations();
  const Snapshot after = read_back(work.string());
  REQUIRE(after.position == "after B");
  REQUIRE(after != before);
  REQUIRE(operations > 10);

  for (const bool sticky : {false, true}) {
    for (std::uint64_t n = 1; n <= operations; ++n) {
      INFO("write operation " << n << " of " << operations << (sticky ? ", disk full" : ""));
      copy_dir(baseline, work);
      auto faults = std::make_shared<IoFaults>();
      faults->fail_at(n, sticky);
      const Attempt attempt = try_commit_b(options(work), faults);
      CHECK(faults->injected());
      // A failed write of the commit itself is never reported as success. (Failures
      // while opening may be ones RocksDB tolerates: trimming a WAL's preallocated
      // tail, the advisory OPTIONS file.)
      if (n > attempt.commit_from && n <= attempt.commit_to) CHECK_FALSE(attempt.committed);
      const Snapshot reopened = read_back(work.string());
      if (attempt.committed) {
        CHECK(reopened == after);
      } else {
        CHECK((reopened == before || reopened == after));
      }
    }
  }
}

TEST_CASE("a write error anywhere in open, commit or close leaves the state before or after",
          "[state][crash]") {
  check_every_write_error(with_wal);
}

TEST_CASE(
    "without the WAL, a write error anywhere in open, commit, flush or close leaves the state "
    "before or after",
    "[state][crash]") {
  check_every_write_error(without_wal);
}

// A crash right after a commit: every later write fails (as if the process had died),
// and the store reopens as the disk holds it.
Snapshot crash_after_commit_b(const StoreOptions& options) {
  auto faults = std::make_shared<IoFaults>();
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(open_store_with_faults(options, faults, store).is_ok());
    MemberCache cache(*store, kStream, 1 << 20);
    TimerIndex index;
    REQUIRE(cache.load_timers(index).is_ok());
    REQUIRE(commit(cache, 'B').is_ok());
    faults->fail_at(1, /*sticky=*/true);
  }
  return read_back(options.dir);
}

TEST_CASE("without the WAL, a crash keeps the last commit flushed, whole; with it, the last one",
          "[state][crash]") {
  TempDir root;
  for (auto* options : {with_wal, without_wal}) {
    const std::filesystem::path dir = root.path / (options == with_wal ? "wal" : "no-wal");
    commit_a(options(dir));
    const Snapshot committed_a = read_back(dir.string());
    REQUIRE(committed_a.position == "after A");
    const Snapshot reopened = crash_after_commit_b(options(dir));
    if (options == with_wal) {
      CHECK(reopened.position == "after B");
    } else {
      CHECK(reopened == committed_a);
    }
  }
}

// A crash while a new store is being created (RocksDB writes CURRENT, then creates the
// column families one MANIFEST write at a time): every write from the n-th on fails, as
// if the process had died there. The state dir then opens as a new, empty store that
// commits and reads back, never as "corrupt" (e2e.kill_and_resume found that case).
TEST_CASE("a crash anywhere in creating a store leaves a state dir that opens empty",
          "[state][crash]") {
  TempDir root;
  for (auto* options : {with_wal, without_wal}) {
    const std::filesystem::path counted = root.path / "counted";
    auto counter = std::make_shared<IoFaults>();
    {
      std::unique_ptr<StateStore> store;
      REQUIRE(open_store_with_faults(options(counted), counter, store).is_ok());
    }
    const std::uint64_t operations = counter->operations();
    REQUIRE(operations > 5);
    for (std::uint64_t n = 1; n <= operations; ++n) {
      INFO("write operation " << n << " of " << operations
                              << (options == with_wal ? "" : ", without the WAL"));
      const std::filesystem::path dir = root.path / ("crash-" + std::to_string(n));
      auto faults = std::make_shared<IoFaults>();
      faults->fail_at(n, /*sticky=*/true);
      {
        std::unique_ptr<StateStore> store;
        (void)open_store_with_faults(options(dir), faults, store);
      }
      CHECK(read_back(dir.string()) == Snapshot{});
      {
        std::unique_ptr<StateStore> store;
        REQUIRE(StateStore::open(options(dir), store).is_ok());
        MemberCache cache(*store, kStream, 1 << 20);
        TimerIndex index;
        REQUIRE(cache.load_timers(index).is_ok());
        REQUIRE(commit(cache, 'A').is_ok());
        if (options == without_wal) REQUIRE(store->flush().is_ok());
      }
      CHECK(read_back(dir.string()).position == "after A");
      std::filesystem::remove_all(dir);
    }
    std::filesystem::remove_all(counted);
  }
}

}  // namespace
}  // namespace segmentd
