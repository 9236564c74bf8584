#include "state/state_store.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/changelog_sink.h"
#include "state/changelog_record.h"
#include "state/member_cache.h"
#include "state/member_codec.h"
#include "state/stored_member_ids.h"
#include "tests/support/temp_dir.h"

namespace segmentd {
namespace {

using testing::TempDir;

MemberState sample_member() {
  MemberState m;
  m.known = true;
  m.figures.purchases = 3;
  m.figures.refunds = 1;
  m.figures.first_purchase = EpochMs{1'700'000'000'000};
  m.figures.last_purchase = EpochMs{1'700'100'000'000};
  m.figures.net_total = Money{-12'345};
  m.figures.days = {{19000, 1, Money{5}}, {19010, 2, Money{-7}}};
  m.recent_events.add("e1", 32);
  m.recent_events.add("é-2", 32);
  m.label(FamilyId::lifecycle) = 2;
  m.seq = 9;
  m.timer = EpochMs{1'700'200'000'000};
  m.label(FamilyId::rfm) = 16;
  m.counted_families = 0b10011;
  m.label(FamilyId::value) = 8;
  m.figures.has_profile = true;
  m.profile_ts = EpochMs{1'700'000'000'001};
  m.birthday = "02-29";
  m.categories = {{"formula", 2, EpochMs{1'700'000'000'000}, EpochMs{1'700'100'000'000}}};
  m.actions_emitted = 4;
  m.pending_actions = {{EpochMs{1'700'300'000'000}, ActionKind::follow_up, 3, "", EpochMs{}},
                       {EpochMs{1'700'400'000'000}, ActionKind::replenish, 0, "formula",
                        EpochMs{1'700'500'000'000}}};
  m.unswept_purchases = {EpochMs{1'700'100'000'000}};
  m.swept_last_purchase = EpochMs{1'700'050'000'000};
  return m;
}

void check_same(const MemberState& a, const MemberState& b) {
  CHECK(a.figures == b.figures);
  CHECK(a.recent_events.oldest_first() == b.recent_events.oldest_first());
  CHECK(a.labels == b.labels);
  CHECK(a.seq == b.seq);
  CHECK(a.timer == b.timer);
  CHECK(a.known == b.known);
  CHECK(a.counted_families == b.counted_families);
  CHECK(a.profile_ts == b.profile_ts);
  CHECK(a.birthday == b.birthday);
  CHECK(a.categories == b.categories);
  CHECK(a.actions_emitted == b.actions_emitted);
  CHECK(a.pending_actions == b.pending_actions);
  CHECK(a.unswept_purchases == b.unswept_purchases);
  CHECK(a.swept_last_purchase == b.swept_last_purchase);
}

TEST_CASE("member states survive encoding exactly", "[state]") {
  const MemberState m = sample_member();
  std::string bytes;
  encode_member(bytes, m);
  MemberState decoded;
  REQUIRE(decode_member(bytes, decoded));
  check_same(decoded, m);
  CHECK_FALSE(decode_member(bytes.substr(0, bytes.size() - 1), decoded));
  CHECK_FALSE(decode_member("", decoded));
}

TEST_CASE("the sweep's decode of a member record gives its figures as the whole decode does",
          "[state]") {
  const MemberState m = sample_member();
  std::string bytes;
  encode_member(bytes, m);
  // A scratch state that held another member, with more days and unswept purchases.
  MemberState scratch = sample_member();
  scratch.figures.days.push_back({19020, 4, Money{9}});
  scratch.figures.has_profile = false;
  scratch.unswept_purchases.push_back(EpochMs{1'700'200'000'000});
  scratch.seq = 77;
  scratch.known = false;
  REQUIRE(decode_member_figures(bytes, scratch));
  CHECK(scratch.known);
  CHECK(scratch.figures == m.figures);
  CHECK(scratch.unswept_purchases == m.unswept_purchases);
  CHECK(scratch.swept_last_purchase == m.swept_last_purchase);
  CHECK(scratch.seq == 77);  // the rest is left as it was
  // Refused wherever the whole decode is: every cut, a byte too many, an empty record.
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    CAPTURE(size);
    CHECK_FALSE(decode_member_figures(bytes.substr(0, size), scratch));
  }
  std::string why;
  CHECK_FALSE(decode_member_figures(bytes + '\0', scratch, &why));
  CHECK(why == "truncated or overlong member record");
}

TEST_CASE("the dedupe ring keeps insertion order across wrap-around", "[state]") {
  RecentEventIds ring;
  for (int i = 0; i < 5; ++i) ring.add("e" + std::to_string(i), 3);
  CHECK(ring.oldest_first() == std::vector<std::string>{"e2", "e3", "e4"});
  CHECK(ring.contains("e4"));
  CHECK_FALSE(ring.contains("e1"));
  ring.add("e5", 4);  // window grew
  CHECK(ring.oldest_first() == std::vector<std::string>{"e2", "e3", "e4", "e5"});
  ring.add("e6", 2);  // window shrank
  CHECK(ring.oldest_first() == std::vector<std::string>{"e5", "e6"});
}

TEST_CASE("the packed dedupe ring holds ids of one and two length bytes, prefixes apart",
          "[state]") {
  RecentEventIds ring;
  const std::string long_id(200, 'x');  // a length of two LEB128 bytes
  const std::string prefix = long_id.substr(0, 127);
  ring.add(long_id, 3);
  ring.add("e", 3);
  CHECK(ring.contains(long_id));
  CHECK_FALSE(ring.contains(prefix));
  CHECK_FALSE(ring.contains(""));
  ring.add(prefix, 3);
  ring.add("f", 3);  // drops the long id
  CHECK(ring.oldest_first() == std::vector<std::string>{"e", prefix, "f"});
  CHECK_FALSE(ring.contains(long_id));
  MemberState m;
  m.known = true;
  m.recent_events = ring;
  std::string bytes;
  encode_member(bytes, m);
  MemberState decoded;
  REQUIRE(decode_member(bytes, decoded));
  CHECK(decoded.recent_events.oldest_first() == ring.oldest_first());
  CHECK(decoded.recent_events.contains(prefix));
}

TEST_CASE("the dedupe ring tells apart ids of one length that share their first and last byte",
          "[state]") {
  RecentEventIds ring;
  ring.add("a1z", 4);
  ring.add("a22z", 4);
  ring.add("b", 4);
  CHECK(ring.contains("a1z"));
  CHECK(ring.contains("a22z"));
  CHECK(ring.contains("b"));
  CHECK_FALSE(ring.contains("a2z"));   // the length, first and last byte of a1z
  CHECK_FALSE(ring.contains("a21z"));  // ... of a22z
  CHECK_FALSE(ring.contains("a1y"));   // another last byte
  CHECK_FALSE(ring.contains("c"));     // another first (and last) byte
  CHECK_FALSE(ring.contains(""));
  ring.add("", 4);
  CHECK(ring.contains(""));
  CHECK(ring.contains("b"));
}

TEST_CASE("checkpoints survive encoding exactly", "[state]") {
  StreamCheckpoint c;
  c.processor.clock = StreamClock{true, EpochMs{-5}, EpochMs{1'000}};
  c.processor.stats.events_applied = 77;
  c.processor.stats.family(FamilyId::lifecycle).transitions[1 * kMaxFamilyLabels + 2] = 3;
  c.processor.stats.family(FamilyId::lifecycle).members[4] = 12;
  c.source_position = std::string("\0\1pos", 5);
  c.tally = StoreTally{3, 2, 0xfedcba9876543210};
  for (bool legacy_digest : {false, true}) {  // format 3, and format 2 (older segmentd)
    c.tally->legacy_digest = legacy_digest;
    std::string bytes;
    encode_checkpoint(bytes, c);
    CHECK(bytes[0] == (legacy_digest ? 2 : 3));
    StreamCheckpoint decoded;
    REQUIRE(decode_checkpoint(bytes, decoded));
    CHECK(decoded == c);
  }
}

TEST_CASE("commits are atomic and readable after reopening", "[state]") {
  TempDir dir;
  const StreamId stream{3};
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    MemberCache cache(*store, stream, 1 << 20);
    MemberState& m = cache.load("alice");
    CHECK_FALSE(m.known);
    m = sample_member();
    cache.mark_changed();
    StreamCheckpoint c;
    c.source_position = "offset-42";
    REQUIRE(cache.commit(c).is_ok());
    MemberState& again = cache.load("alice");  // uncommitted change: must not persist
    again.seq = 1000;
    cache.mark_changed();
  }
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  std::optional<StreamCheckpoint> checkpoint;
  REQUIRE(store->read_checkpoint(stream, checkpoint).is_ok());
  REQUIRE(checkpoint);
  CHECK(checkpoint->source_position == "offset-42");
  MemberState read;
  bool found = false;
  REQUIRE(store->read_member(stream, "alice", read, found).is_ok());
  REQUIRE(found);
  check_same(read, sample_member());
  REQUIRE(store->read_member(StreamId{4}, "alice", read, found).is_ok());
  CHECK_FALSE(found);  // streams are separate
}

// drop_stream() is the store's only range deletion. RocksDB 7.8 shares a memtable's insert
// hints between point keys and range deletions, so the memtable must never be given a hint
// for the range deletion's bounds (Debian's build asserts, others corrupt the memtable).
TEST_CASE("a stream dropped and written again in one memtable reads back whole", "[state]") {
  TempDir dir;
  const StreamId stream{3};
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back("m-" + std::to_string(1000 + i));
  const auto write = [&](StateStore& store, std::uint32_t seq) {
    StoreBatch batch(store);
    for (const std::string& id : ids) {
      MemberState m = sample_member();
      m.seq = seq;
      batch.put_member(stream, id, m);
    }
    REQUIRE(store.commit(batch).is_ok());
  };
  const auto check = [&](StateStore& store, std::uint32_t seq) {
    std::vector<std::string> scanned;
    REQUIRE(store.scan_member_ids(stream, [&](std::string_view id) { scanned.emplace_back(id); })
                .is_ok());
    CHECK(scanned == ids);
    for (const std::string& id : ids) {
      MemberState read;
      bool found = false;
      REQUIRE(store.read_member(stream, id, read, found).is_ok());
      REQUIRE(found);
      CHECK(read.seq == seq);
    }
  };
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    write(*store, 1);
    REQUIRE(store->drop_stream(stream).is_ok());
    std::vector<std::string> scanned;
    REQUIRE(store->scan_member_ids(stream, [&](std::string_view id) { scanned.emplace_back(id); })
                .is_ok());
    CHECK(scanned.empty());
    write(*store, 2);
    check(*store, 2);
  }
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  check(*store, 2);
}

TEST_CASE("timers are persisted in (due, member) order and follow their members", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  MemberCache cache(*store, StreamId{0}, 1 << 20);
  for (auto [id, due] : {std::pair{"b", 20}, {"a", 20}, {"c", 10}, {"d", -5}}) {
    cache.load(id).timer = EpochMs{due};
    cache.mark_changed();
  }
  REQUIRE(cache.commit({}).is_ok());
  cache.load("c").timer = EpochMs{30};  // moved
  cache.mark_changed();
  cache.load("d").timer.reset();  // cancelled
  cache.mark_changed();
  REQUIRE(cache.commit({}).is_ok());
  TimerIndex index;
  REQUIRE(cache.load_timers(index).is_ok());
  std::vector<std::string> order;
  while (auto e = index.pop_due(EpochMs{1'000}))
    order.push_back(e->member_id + "@" + std::to_string(e->due.ms));
  CHECK(order == std::vector<std::string>{"a@20", "b@20", "c@30"});
}

TEST_CASE("members evicted over the memory budget are read back intact", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  MemberCache cache(*store, StreamId{0}, 64 * 1024);  // room for a few dozen members
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) {
      MemberState& m = cache.load("m" + std::to_string(i));
      m.known = true;
      m.seq += 1;
      cache.mark_changed();
    }
    REQUIRE(cache.commit({}).is_ok());
    CHECK(cache.resident_bytes() <= 64 * 1024);
  }
  for (int i = 0; i < 500; ++i) CHECK(cache.load("m" + std::to_string(i)).seq == 3);
}

TEST_CASE("a cache tracking its stored ids reads no member it has never stored", "[state]") {
  TempDir dir;
  const StreamId stream{0};
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    MemberCache cache(*store, stream, 256u << 20);
    cache.track_stored_ids();
    TimerIndex timers;
    REQUIRE(cache.load_timers(timers).is_ok());
    const std::uint64_t reads_before = store->figures().point_reads;
    for (int i = 0; i < 300; ++i) {
      MemberState& m = cache.load("m" + std::to_string(i));
      m = sample_member();
      m.figures.refunds = static_cast<std::uint32_t>(i);
      cache.mark_changed();
    }
    CHECK(store->figures().point_reads == reads_before);  // every one new: nothing read
    REQUIRE(cache.commit({}).is_ok());
  }
  // Reopened: the restore's scan adds the stored members. A small budget drops most of
  // them again after a commit, and members stored by this process are dropped too.
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  MemberCache cache(*store, stream, 32 * 1024);
  cache.track_stored_ids();
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  CHECK_THROWS_AS(cache.track_stored_ids(), std::logic_error);  // too late: ids not scanned
  for (int i = 300; i < 600; ++i) {
    MemberState& m = cache.load("m" + std::to_string(i));
    CHECK_FALSE(m.known);
    m = sample_member();
    m.figures.refunds = static_cast<std::uint32_t>(i);
    cache.mark_changed();
  }
  REQUIRE(cache.commit({}).is_ok());
  REQUIRE(cache.resident_members() < 300);
  const std::uint64_t reads_before = store->figures().point_reads;
  for (int i = 0; i < 600; ++i) {
    const MemberState& m = cache.read_figures("m" + std::to_string(i));
    REQUIRE(m.known);
    CHECK(m.figures.refunds == static_cast<std::uint32_t>(i));
  }
  CHECK(store->figures().point_reads > reads_before);  // the dropped ones were read back
  CHECK_FALSE(cache.read_figures("never-seen").known);
  // peek() reads the whole record of every member, dropped or not.
  for (int i = 0; i < 600; ++i) {
    const MemberState m = cache.peek("m" + std::to_string(i));
    CHECK(m.figures.refunds == static_cast<std::uint32_t>(i));
    CHECK(m.seq == sample_member().seq);
    CHECK(m.pending_actions == sample_member().pending_actions);
  }
}

TEST_CASE("prefetching members changes nothing: no read, nothing loaded, states intact",
          "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  // A budget that holds some members decoded, some encoded, and drops the rest.
  MemberCache cache(*store, StreamId{0}, 64 * 1024);
  TimerIndex timers;
  REQUIRE(cache.load_timers(timers).is_ok());
  for (int i = 0; i < 600; ++i) {
    MemberState& m = cache.load("m" + std::to_string(i));
    m = sample_member();
    m.figures.refunds = static_cast<std::uint32_t>(i);
    cache.mark_changed();
  }
  REQUIRE(cache.commit({}).is_ok());
  for (int i = 590; i < 600; ++i) cache.load("m" + std::to_string(i));  // decoded again
  const std::size_t resident = cache.resident_members();
  const std::size_t encoded = cache.encoded_members();
  const std::size_t bytes = cache.resident_bytes();
  REQUIRE(resident < 600);
  REQUIRE(encoded > 0);
  REQUIRE(encoded < resident);
  const std::uint64_t reads = store->figures().point_reads;
  for (int step = 0; step < 3; ++step) {
    for (int i = 0; i < 600; ++i) cache.prefetch("m" + std::to_string(i), step);
    cache.prefetch("never-seen", step);
    cache.prefetch("", step);
  }
  CHECK(store->figures().point_reads == reads);
  CHECK(cache.resident_members() == resident);
  CHECK(cache.encoded_members() == encoded);
  CHECK(cache.resident_bytes() == bytes);
  for (int i = 0; i < 600; ++i) {
    CHECK(cache.load("m" + std::to_string(i)).figures.refunds == static_cast<std::uint32_t>(i));
  }
}

TEST_CASE("stored member ids: every id added is found, after growing too", "[state]") {
  StoredMemberIds ids;
  for (int i = 0; i < 5000; ++i) ids.add("member-" + std::to_string(i));
  ids.add("member-7");  // again
  CHECK(ids.size() == 5000);
  for (int i = 0; i < 5000; ++i) REQUIRE(ids.may_be_stored("member-" + std::to_string(i)));
  int unknown_found = 0;
  for (int i = 5000; i < 10000; ++i)
    unknown_found += ids.may_be_stored("member-" + std::to_string(i));
  CHECK(unknown_found == 0);  // 64-bit hashes: a collision among these would be a broken hash
}

TEST_CASE("members over the memory budget are held encoded before any is dropped", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  // Room for 500 members encoded (a few hundred bytes each), not decoded (over 1 KB).
  constexpr std::size_t kBudget = 400 * 1024;
  MemberCache cache(*store, StreamId{0}, kBudget);
  const auto fill = [](MemberState& m, int i) {
    m.known = true;
    m.seq += 1;
    m.timer = EpochMs{1'000 + i};
    for (int day = 0; day < 20; ++day) m.figures.days.push_back({day, 1, Money{i}});
  };
  for (int i = 0; i < 500; ++i) {
    fill(cache.load("m" + std::to_string(i)), i);
    cache.mark_changed();
  }
  REQUIRE(cache.commit({}).is_ok());
  CHECK(cache.resident_members() == 500);  // none dropped
  CHECK(cache.encoded_members() > 100);
  CHECK(cache.resident_bytes() <= kBudget);
  const std::size_t encoded = cache.encoded_members();
  // A member held encoded decodes intact, also for peek() (the whole record, not only what
  // the sweep reads); changing it writes it.
  const MemberState peeked = cache.peek("m0");
  CHECK(peeked.figures.days.size() == 20);
  CHECK(peeked.seq == 1);
  CHECK(peeked.timer == EpochMs{1'000});
  MemberState& first = cache.load("m0");
  CHECK(cache.encoded_members() == encoded - 1);
  CHECK(first.seq == 1);
  CHECK(first.timer == EpochMs{1'000});
  CHECK(first.figures.days.back().net == Money{0});
  first.seq += 1;
  cache.mark_changed();
  REQUIRE(cache.commit({}).is_ok());
  CHECK(cache.member_ids().size() == 500);
  MemberState read;
  bool found = false;
  REQUIRE(store->read_member(StreamId{0}, "m0", read, found).is_ok());
  CHECK(read.seq == 2);
  for (int i = 1; i < 500; ++i) {
    const MemberState& m = cache.load("m" + std::to_string(i));
    CHECK(m.seq == 1);
    CHECK(m.timer == EpochMs{1'000 + i});
  }
  TimerIndex timers;
  CHECK(cache.load_timers(timers).is_ok());  // the tally still agrees with the store
}

TEST_CASE("the least recently used members are encoded first, then dropped first", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  const auto fill = [](MemberState& m) {
    m.known = true;
    m.seq += 1;
    for (int day = 0; day < 20; ++day) m.figures.days.push_back({day, 1, Money{day}});
  };
  const auto id = [](int i) { return "m" + std::to_string(i); };
  SECTION("encoded: the members used since the last commit stay decoded") {
    MemberCache cache(*store, StreamId{0}, 400 * 1024);  // 500 encoded fit, not decoded
    for (int i = 0; i < 500; ++i) {
      fill(cache.load(id(i)));
      cache.mark_changed();
    }
    REQUIRE(cache.commit({}).is_ok());
    for (int i = 0; i < 100; ++i) cache.load(id(i));  // the most recent now
    for (int i = 100; i < 400; ++i) cache.load(id(i % 7 == 0 ? i : 100));
    REQUIRE(cache.commit({}).is_ok());
    const std::size_t encoded = cache.encoded_members();
    REQUIRE(encoded > 100);
    // They were the first encoded by the first commit (the least recent then); none of
    // them was encoded by the second.
    for (int i = 99; i >= 0; --i) cache.load(id(i));
    CHECK(cache.encoded_members() == encoded);
  }
  SECTION("dropped: the members used since the last commit stay in memory") {
    MemberCache cache(*store, StreamId{0}, 64 * 1024);  // not even 500 encoded fit
    for (int i = 0; i < 500; ++i) {
      fill(cache.load(id(i)));
      cache.mark_changed();
      if (i % 100 == 99) REQUIRE(cache.commit({}).is_ok());
    }
    for (int i = 0; i < 20; ++i) cache.load(id(i));
    REQUIRE(cache.commit({}).is_ok());
    const std::size_t resident = cache.resident_members();
    REQUIRE(resident < 500);
    for (int i = 0; i < 20; ++i) cache.load(id(i));  // none of them was dropped
    CHECK(cache.resident_members() == resident);
    CHECK(cache.load(id(20)).seq == 1);  // dropped, read back
    CHECK(cache.resident_members() == resident + 1);
  }
}

TEST_CASE("the cache says when its members outgrow the budget", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  constexpr std::size_t kBudget = 64 * 1024;
  MemberCache cache(*store, StreamId{0}, kBudget);
  int loaded = 0;
  while (!cache.over_budget()) {
    MemberState& m = cache.load("m" + std::to_string(loaded++));
    m.known = true;
    cache.mark_changed();
  }
  CHECK(cache.resident_bytes() > kBudget);
  CHECK(loaded > 20);
  REQUIRE(cache.commit({}).is_ok());  // encodes, then drops, down to 9/10 of the budget
  CHECK_FALSE(cache.over_budget());
  CHECK(cache.resident_bytes() <= kBudget / 10 * 9);
}

TEST_CASE("the cache says when the changed members would fill the commit's write batch",
          "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  constexpr std::size_t kBatchBytes = 64 * 1024;
  MemberCache cache(*store, StreamId{0}, std::size_t{1} << 30, nullptr, kBatchBytes);
  const auto change_until_full = [&](const std::string& prefix) {
    std::size_t changed = 0;
    while (!cache.batch_full()) {
      MemberState& m = cache.load(prefix + std::to_string(changed++));
      m.known = true;
      cache.mark_changed();
    }
    return changed;
  };
  CHECK_FALSE(cache.batch_full());
  CHECK(change_until_full("a") == kBatchBytes / 256);  // 256 bytes a record before a commit
  REQUIRE(cache.commit({}).is_ok());
  CHECK_FALSE(cache.batch_full());
  // Then by the mean size of the latest commit's records.
  MemberState known;
  known.known = true;
  std::string record;
  encode_member(record, known);
  REQUIRE(record.size() < 256);
  CHECK(change_until_full("b") == (kBatchBytes + record.size() - 1) / record.size());
}

// Records the member keys a commit sends to the changelog, in order.
class KeyRecorder final : public ChangelogSink {
 public:
  void changelog_put(std::int32_t, std::string_view key, std::optional<std::string_view>) override {
    keys.emplace_back(key);
  }
  void changelog_checkpoint(std::int32_t, std::string_view, std::string_view) override {}
  std::optional<std::int64_t> changelog_checkpoint_offset(std::int32_t) const override {
    return std::nullopt;
  }
  std::vector<std::string> keys;
};

TEST_CASE("a commit stages its members in the byte order of their ids", "[state]") {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  KeyRecorder changelog;
  MemberCache cache(*store, StreamId{0}, 1 << 20, &changelog);
  // Ids that share their first 8 bytes, are shorter than 8, hold a NUL or bytes over 0x7f
  // (which sort after ASCII as unsigned bytes).
  const std::vector<std::string> ids = {"member-00000002",
                                        "member-00000001",
                                        "member-0",
                                        "member-",
                                        "m",
                                        "m\xc3\xa9",
                                        std::string("m\0x", 3),
                                        std::string("m\0", 2),
                                        "zz",
                                        "member-00000001a"};
  for (const std::string& id : ids) {
    cache.load(id) = sample_member();
    cache.mark_changed();
  }
  REQUIRE(cache.commit(StreamCheckpoint{}).is_ok());
  std::vector<std::string> expected;
  for (const std::string& id : ids) expected.push_back(changelog_member_key(id));
  std::sort(expected.begin(), expected.end());
  CHECK(changelog.keys == expected);
}

}  // namespace
}  // namespace segmentd

namespace segmentd {
namespace {

TEST_CASE("the block cache counts member reads from table files", "[state]") {
  TempDir dir;
  const StreamId stream{1};
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    StoreBatch batch(*store);
    for (int i = 0; i < 200; ++i)
      batch.put_member(stream, "m" + std::to_string(i), sample_member());
    REQUIRE(store->commit(batch).is_ok());
  }
  // Reopening flushes the WAL into a table file: reads now go through the block cache.
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 200; ++i) {
      MemberState read;
      bool found = false;
      REQUIRE(store->read_member(stream, "m" + std::to_string(i), read, found).is_ok());
      REQUIRE(found);
    }
  }
  const StoreFigures figures = store->figures();
  INFO("hits " << figures.block_cache_hits << " misses " << figures.block_cache_misses);
  CHECK(figures.block_cache_misses > 0);
  CHECK(figures.block_cache_hits > figures.block_cache_misses);
}

TEST_CASE("a group of commits needs one WAL sync, by its last batch") {
  TempDir dir;
  {
    std::unique_ptr<StateStore> store;
    REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
    const std::uint64_t syncs_before = store->figures().wal_syncs;
    StoreBatch batch(*store);
    for (std::uint32_t stream = 0; stream < 3; ++stream) {
      batch.put_member(StreamId{stream}, "m", sample_member());
      REQUIRE(store->commit(batch, /*sync=*/stream == 2).is_ok());
    }
    CHECK(store->figures().wal_syncs - syncs_before == 1);
    batch.put_member(StreamId{0}, "n", sample_member());
    REQUIRE(store->commit(batch).is_ok());  // synced by default
    CHECK(store->figures().wal_syncs - syncs_before == 2);
  }
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open({dir.path.string()}, store).is_ok());
  for (std::uint32_t stream = 0; stream < 3; ++stream) {
    MemberState read;
    bool found = false;
    REQUIRE(store->read_member(StreamId{stream}, "m", read, found).is_ok());
    CHECK(found);
  }
}

}  // namespace
}  // namespace segmentd
