// The state store refuses what it cannot trust: records no encoder could have written,
// stores that disagree with their checkpoints, lost WAL or MANIFEST files. Each case
// must end in an error that names the state dir (and the stream / member), never in
// wrong data.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "state/member_cache.h"
#include "state/member_codec.h"
#include "state/state_store.h"
#include "state/varint.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

using Catch::Matchers::Contains;
using testing::TempDir;

MemberState valid_member() {
  MemberState m;
  m.known = true;
  m.figures.purchases = 2;
  m.figures.first_purchase = EpochMs{1'700'000'000'000};
  m.figures.last_purchase = EpochMs{1'700'100'000'000};
  m.figures.days = {{19675, 1, Money{5}}, {19676, 1, Money{7}}};
  m.recent_events.add("e1", 32);
  m.label(FamilyId::lifecycle) = 2;
  m.seq = 1;
  m.timer = EpochMs{1'710'000'000'000};
  return m;
}

// Decodes what `state` encodes to; returns the reason decoding gave, empty if it did not fail.
std::string decode_failure(const MemberState& state) {
  std::string bytes;
  encode_member(bytes, state);
  MemberState decoded;
  std::string why;
  return decode_member(bytes, decoded, &why) ? std::string() : why;
}

TEST_CASE("member records with impossible values are refused with a reason", "[state]") {
  CHECK(decode_failure(valid_member()).empty());

  MemberState m = valid_member();
  m.label(FamilyId::lifecycle) = 9;  // was used unchecked as an array index
  CHECK_THAT(decode_failure(m), Contains("label index 9 out of range"));

  m = valid_member();
  m.figures.first_purchase = EpochMs{std::numeric_limits<std::int64_t>::max()};
  m.figures.last_purchase = m.figures.first_purchase;
  CHECK_THAT(decode_failure(m), Contains("first purchase"));

  m = valid_member();
  m.figures.first_purchase = EpochMs{0};
  m.figures.last_purchase = EpochMs{std::numeric_limits<std::int64_t>::max()};
  CHECK_THAT(decode_failure(m), Contains("after the first"));

  m = valid_member();
  m.timer = EpochMs{std::numeric_limits<std::int64_t>::min()};
  CHECK_THAT(decode_failure(m), Contains("timer"));

  m = valid_member();
  m.figures.days = {{5, 1, Money{1}}, {3, 1, Money{1}}};
  CHECK_THAT(decode_failure(m), Contains("out of order"));

  m = valid_member();
  m.figures.days = {{1, 1, Money{1}}, {1 + kDailyHistoryDays, 1, Money{1}}};
  CHECK_THAT(decode_failure(m), Contains("span more than"));

  m = valid_member();
  m.recent_events.add(std::string(kMaxStoredEventIdBytes + 1, 'x'), 32);
  CHECK_THAT(decode_failure(m), Contains("recent event id of 129 bytes"));
}

TEST_CASE("member records with an out-of-range label byte are refused", "[state]") {
  std::string bytes;
  encode_member(bytes, valid_member());
  MemberState decoded;
  std::string why;
  REQUIRE(decode_member(bytes, decoded, &why));
  // The lifecycle label's byte is the one byte that differs from a record with label 3.
  MemberState other = valid_member();
  other.label(FamilyId::lifecycle) = 3;
  std::string other_bytes;
  encode_member(other_bytes, other);
  REQUIRE(other_bytes.size() == bytes.size());
  const auto label_at = static_cast<std::size_t>(
      std::mismatch(bytes.begin(), bytes.end(), other_bytes.begin()).first - bytes.begin());
  REQUIRE(label_at < bytes.size());
  REQUIRE(bytes[label_at] == 2);
  bytes[label_at] = 0x7f;
  CHECK_FALSE(decode_member(bytes, decoded, &why));
  CHECK_THAT(why, Contains("label index 127"));
}

TEST_CASE("checkpoints with impossible values are refused with a reason", "[state]") {
  auto failure = [](const StreamCheckpoint& c) {
    std::string bytes;
    encode_checkpoint(bytes, c);
    StreamCheckpoint decoded;
    std::string why;
    return decode_checkpoint(bytes, decoded, &why) ? std::string() : why;
  };
  StreamCheckpoint c;
  c.processor.clock = StreamClock{true, EpochMs{1'000}, EpochMs{2'000}};
  CHECK(failure(c).empty());
  c.processor.stats.family(FamilyId::lifecycle).members[3] = -4;
  CHECK_THAT(failure(c), Contains("negative member count -4"));
  c.processor.stats.family(FamilyId::lifecycle).members[3] = 0;
  c.processor.clock.max_event_ts = EpochMs{std::numeric_limits<std::int64_t>::max()};
  CHECK_THAT(failure(c), Contains("largest event time"));

  std::string bytes;
  encode_checkpoint(bytes, StreamCheckpoint{});
  StreamCheckpoint decoded;
  std::string why;
  CHECK_FALSE(decode_checkpoint(bytes.substr(0, bytes.size() - 1), decoded, &why));
  CHECK_THAT(why, Contains("truncated"));
}

// A store with two members (one with a timer) of stream 5, committed through the cache.
void commit_two_members(const std::string& dir, StoreOptions options = {}) {
  options.dir = dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(options, store).is_ok());
  MemberCache cache(*store, StreamId{5}, 1 << 20);
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  cache.load("alice") = valid_member();
  cache.mark_changed();
  MemberState& bob = cache.load("bob");
  bob = valid_member();
  bob.timer.reset();
  cache.mark_changed();
  REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
}

Status restore(const std::string& dir, StreamId stream = StreamId{5}) {
  std::unique_ptr<StateStore> store;
  Status s = StateStore::open({dir}, store);
  if (!s.is_ok()) return s;
  MemberCache cache(*store, stream, 1 << 20);
  TimerIndex timers;
  return cache.load_timers(timers);
}

TEST_CASE("a member record with a bad label names its member, stream and state dir", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  StoreBatch batch(*store);
  MemberState bad = valid_member();
  bad.label(FamilyId::lifecycle) = 200;
  (void)batch.put_member(StreamId{7}, "mallory", bad);
  REQUIRE(store->commit(batch).is_ok());
  MemberState read;
  bool found = false;
  const Status s = store->read_member(StreamId{7}, "mallory", read, found);
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Contains("state dir " + dir.path.string() + " is corrupt"));
  CHECK_THAT(s.message(), Contains("member 'mallory' of stream 7"));
  CHECK_THAT(s.message(), Contains("label index 200"));
  MemberCache cache(*store, StreamId{7}, 1 << 20);
  CHECK_THROWS_AS(cache.load("mallory"), StateStoreError);
  TimerIndex timers;  // restoring the stream decodes every record for its timer
  const Status restored = cache.load_timers(timers);
  REQUIRE_FALSE(restored.is_ok());
  CHECK_THAT(restored.message(), Contains("member 'mallory' of stream 7"));
}

TEST_CASE("a restored stream is checked against its checkpoint's tally", "[state]") {
  TempDir dir;
  commit_two_members(dir.path.string());
  REQUIRE(restore(dir.path.string()).is_ok());
  {  // a restored cache keeps the tally exact through further commits
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    MemberCache cache(*store, StreamId{5}, 1 << 20);
    TimerIndex timers;
    REQUIRE(cache.load_timers(timers).is_ok());
    cache.load("alice").timer.reset();  // a timer cancelled
    cache.mark_changed();
    cache.load("bob").timer = EpochMs{1'720'000'000'000};  // one set
    cache.mark_changed();
    cache.load("carol") = valid_member();  // a member added
    cache.mark_changed();
    REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
  }
  REQUIRE(restore(dir.path.string()).is_ok());

  auto tamper = [&](auto&& change) {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    StoreBatch batch(*store);
    change(batch);
    REQUIRE(store->commit(batch).is_ok());
  };
  SECTION("an extra member record") {
    tamper([](StoreBatch& b) { (void)b.put_member(StreamId{5}, "dave", valid_member()); });
    const Status s = restore(dir.path.string());
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Contains("state dir " + dir.path.string() + " is corrupt"));
    CHECK_THAT(s.message(), Contains("stream 5 has 4 member records but its checkpoint says 3"));
  }
  SECTION("a member record that is not the one committed") {
    tamper([](StoreBatch& b) {
      MemberState older = valid_member();
      older.seq = 0;
      (void)b.put_member(StreamId{5}, "carol", older);
    });
    const Status s = restore(dir.path.string());
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Contains("digest mismatch"));
  }
  SECTION("a member record with a timer the checkpoint did not count") {
    tamper([](StoreBatch& b) {
      MemberState with_timer = valid_member();
      with_timer.timer = EpochMs{1};
      (void)b.put_member(StreamId{5}, "alice", with_timer);
    });
    const Status s = restore(dir.path.string());
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Contains("stream 5 has 3 timers but its checkpoint says 2"));
  }
  SECTION("members without a checkpoint") {
    tamper([](StoreBatch& b) { (void)b.put_member(StreamId{6}, "erin", valid_member()); });
    const Status s = restore(dir.path.string(), StreamId{6});
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Contains("stream 6 has 1 member records but it has no checkpoint"));
  }
  SECTION("other streams are not affected") {
    tamper([](StoreBatch& b) { (void)b.put_member(StreamId{6}, "erin", valid_member()); });
    CHECK(restore(dir.path.string()).is_ok());
  }
}

// Rewrites stream 5's checkpoint as an older segmentd wrote it (format 2: the tally sums
// legacy_record_digest()), plus `digest_error`.
void write_legacy_checkpoint(const std::string& dir, std::uint64_t digest_error = 0) {
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir}, store).is_ok());
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(StreamId{5}, checkpoint).is_ok());
  REQUIRE((checkpoint && checkpoint->tally && !checkpoint->tally->legacy_digest));
  std::uint64_t legacy = 0;
  REQUIRE(store
              ->scan_members(StreamId{5},
                             [&](std::string_view id, std::string_view record) {
                               legacy += legacy_record_digest(id, record);
                               return Status::ok();
                             })
              .is_ok());
  REQUIRE(legacy != checkpoint->tally->member_digest);
  checkpoint->tally->member_digest = legacy + digest_error;
  checkpoint->tally->legacy_digest = true;
  StoreBatch batch(*store);
  batch.put_checkpoint(StreamId{5}, *checkpoint);
  REQUIRE(store->commit(batch).is_ok());
}

TEST_CASE("a state dir whose checkpoint sums the older digests is checked with them", "[state]") {
  TempDir dir;
  commit_two_members(dir.path.string());
  SECTION("the same records: restored, and the next checkpoint sums the current digests") {
    write_legacy_checkpoint(dir.path.string());
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    {
      MemberCache cache(*store, StreamId{5}, 1 << 20);
      TimerIndex timers;
      REQUIRE(cache.load_timers(timers).is_ok());
      CHECK(timers.size() == 1);
      cache.load("carol") = valid_member();
      cache.mark_changed();
      REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
    }
    std::optional<StreamCheckpoint> checkpoint;
    REQUIRE(store->read_checkpoint(StreamId{5}, checkpoint).is_ok());
    REQUIRE((checkpoint && checkpoint->tally));
    CHECK_FALSE(checkpoint->tally->legacy_digest);
    CHECK(checkpoint->tally->members == 3);
    store.reset();
    CHECK(restore(dir.path.string()).is_ok());
  }
  SECTION("records that are not the ones it counted: a digest mismatch") {
    write_legacy_checkpoint(dir.path.string(), 1);
    const Status s = restore(dir.path.string());
    REQUIRE_FALSE(s.is_ok());
    CHECK_THAT(s.message(), Contains("digest mismatch"));
  }
}

std::vector<std::filesystem::path> files_ending(const std::filesystem::path& dir,
                                                std::string_view suffix) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(suffix) || name.starts_with(suffix)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// Three sessions, each committing members of its own: reopening flushes the previous
// session's WAL into tables, so the store ends with tables, MANIFEST edits and a WAL.
void three_sessions(const std::string& dir) {
  for (int session = 0; session < 3; ++session) {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir}, store).is_ok());
    MemberCache cache(*store, StreamId{0}, 1 << 20);
    TimerIndex timers;
    REQUIRE(cache.load_timers(timers).is_ok());
    for (int i = 0; i < 50; ++i) {
      cache.load("s" + std::to_string(session) + "-m" + std::to_string(i)) = valid_member();
      cache.mark_changed();
      if (i % 10 == 9) REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
    }
  }
}

TEST_CASE("a lost WAL file makes the state dir an error, not an older state", "[state]") {
  TempDir dir;
  {
    // One new member per commit, and checkpoints big enough that the checkpoints' column
    // family is flushed long before the members': the members' early records then live
    // only in the oldest WAL, beside newer WALs holding the latest checkpoint.
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string(), 8u << 20, false}, store).is_ok());
    MemberCache cache(*store, StreamId{0}, 1 << 20);
    TimerIndex timers;
    REQUIRE(cache.load_timers(timers).is_ok());
    StreamCheckpoint checkpoint;
    checkpoint.source_position = std::string(400, 'p');
    for (int i = 0; i < 4000 && files_ending(dir.path, ".log").size() < 2; ++i) {
      cache.load("m" + std::to_string(i)) = valid_member();
      cache.mark_changed();
      REQUIRE(cache.commit(checkpoint).is_ok());
    }
  }
  const auto wals = files_ending(dir.path, ".log");
  REQUIRE(wals.size() >= 2);
  std::filesystem::remove(wals.front());
  const Status s = restore(dir.path.string(), StreamId{0});
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Contains("state dir " + dir.path.string() + " is corrupt"));
}

TEST_CASE("a MANIFEST cut in half makes the state dir an error, not an older state", "[state]") {
  TempDir dir;
  three_sessions(dir.path.string());
  const auto manifests = files_ending(dir.path, "MANIFEST-");
  REQUIRE(manifests.size() == 1);
  std::filesystem::resize_file(manifests.front(),
                               std::filesystem::file_size(manifests.front()) / 2);
  const Status s = restore(dir.path.string(), StreamId{0});
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Contains("state dir " + dir.path.string() + " is corrupt"));
}

TEST_CASE("member records found by the fuzzer are refused with a reason", "[state]") {
  // tests/fuzz/corpus/fuzz_member_codec/finding-*: inputs that once overflowed while
  // decoding (under UBSan in CI's sanitizer pass).
  const std::filesystem::path corpus =
      std::filesystem::path(SEGMENTD_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_member_codec";
  int findings = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().filename().string().rfind("finding-", 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    MemberState decoded;
    std::string why;
    INFO(entry.path().filename().string());
    CHECK_FALSE(decode_member(bytes, decoded, &why));
    CHECK_FALSE(why.empty());
    ++findings;
  }
  CHECK(findings > 0);
}

}  // namespace
}  // namespace segmentd
