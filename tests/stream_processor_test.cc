#include "engine/stream_processor.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/support/in_memory_members.h"

namespace segmentd {
namespace {

using testing::InMemoryMembers;
using testing::RecordingSink;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kJan1 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

struct OwnedEvent {
  std::string id, member;
  std::int64_t ts;
  EventType type = EventType::purchase;
  std::int64_t thousandths = 1000;
  PurchaseEvent view() const { return {id, member, EpochMs{ts}, type, Money{thousandths}, {}, {}}; }
};

struct Harness {
  EngineOptions options;
  InMemoryMembers members;
  TimerIndex timers;
  RecordingSink sink;
  StreamProcessor processor{options, members, timers, sink};

  void apply(const OwnedEvent& e) { processor.apply(e.view()); }
  std::vector<std::string> path(const std::string& member) const {
    std::vector<std::string> labels;
    for (const auto& t : sink.recorded) {
      if (t.member_id == member) labels.push_back(t.from + ">" + t.to);
    }
    return labels;
  }
};

TEST_CASE("a silent regular goes active, at_risk, dormant, lost at their own instants",
          "[processor]") {
  Harness h;
  h.apply({"a1", "alice", kJan1});
  h.apply({"a2", "alice", kJan1 + 10 * kDay});
  h.apply({"a3", "alice", kJan1 + 20 * kDay});
  h.processor.advance_clock_to(EpochMs{kJan1 + 400 * kDay});
  REQUIRE(h.path("alice") == std::vector<std::string>{"none>new", "new>active", "active>at_risk",
                                                      "at_risk>dormant", "dormant>lost"});
  const auto& r = h.sink.recorded;
  CHECK(r[2].effective_ts == kJan1 + 40 * kDay);  // 20d + max(14d, 2.0 * 10d)
  CHECK(r[2].cause == TransitionCause::timer);
  CHECK(r[2].event_id.empty());
  CHECK(r[3].effective_ts == kJan1 + 110 * kDay);
  CHECK(r[4].effective_ts == kJan1 + 200 * kDay);
  for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i].seq == i + 1);
  CHECK(h.timers.size() == 0);
}

TEST_CASE("the clock lags the newest event by the allowed lateness", "[processor]") {
  Harness h;
  h.apply({"b1", "bob", kJan1});
  // bob's dormant timer is due at +90d; an event at +90d+59m leaves the clock short of it
  h.apply({"x1", "xena", kJan1 + 90 * kDay + 59 * 60'000});
  CHECK(h.path("bob") == std::vector<std::string>{"none>new"});
  h.apply({"x2", "xena", kJan1 + 90 * kDay + kHour});
  CHECK(h.path("bob") == std::vector<std::string>{"none>new", "new>dormant"});
}

TEST_CASE("timers due in one clock advance fire in (due, member) order", "[processor]") {
  Harness h;
  h.apply({"z1", "zed", kJan1});
  h.apply({"a1", "amy", kJan1});
  h.apply({"c1", "cat", kJan1 - kDay});
  h.apply({"n1", "newcomer", kJan1 + 365 * kDay});
  std::vector<std::string> order;
  for (const auto& t : h.sink.recorded) {
    if (t.cause == TransitionCause::timer) order.push_back(t.member_id + ":" + t.to);
  }
  CHECK(order == std::vector<std::string>{"cat:dormant", "amy:dormant", "zed:dormant", "cat:lost",
                                          "amy:lost", "zed:lost"});
}

TEST_CASE("a purchase after a long silence fires the member's own timers first", "[processor]") {
  Harness h;
  h.options.allowed_lateness = DurationMs{200 * kDay};  // the clock alone would not fire them
  h.apply({"d1", "dan", kJan1});
  h.apply({"d2", "dan", kJan1 + 100 * kDay});
  CHECK(h.path("dan") == std::vector<std::string>{"none>new", "new>dormant", "dormant>active"});
  CHECK(h.sink.recorded[1].effective_ts == kJan1 + 90 * kDay);
  CHECK(h.sink.recorded[2].effective_ts == kJan1 + 100 * kDay);
  CHECK(h.sink.recorded[2].event_id == "d2");
}

TEST_CASE("duplicates change nothing but still advance the clock", "[processor]") {
  Harness h;
  h.apply({"e1", "eve", kJan1});
  h.apply({"f1", "fay", kJan1});
  h.apply({"f1", "fay", kJan1 + 100 * kDay});  // duplicate id, far in the future
  const auto& stats = h.processor.checkpoint().stats;
  CHECK(stats.events_duplicate == 1);
  CHECK(stats.events_applied == 2);
  CHECK(h.members.all().at("fay").figures.purchases == 1);
  CHECK(h.path("eve") == std::vector<std::string>{"none>new", "new>dormant"});
}

TEST_CASE("the dedupe window forgets ids beyond its size", "[processor]") {
  Harness h;
  h.options.dedupe_window = 2;
  h.apply({"g1", "gus", kJan1});
  h.apply({"g2", "gus", kJan1 + 1});
  h.apply({"g3", "gus", kJan1 + 2});
  h.apply({"g1", "gus", kJan1 + 3});  // out of the window again: applied
  h.apply({"g3", "gus", kJan1 + 4});  // still in it: duplicate
  CHECK(h.members.all().at("gus").figures.purchases == 4);
  CHECK(h.processor.checkpoint().stats.events_duplicate == 1);
}

TEST_CASE("refunds change the net total, never the lifecycle", "[processor]") {
  Harness h;
  h.apply({"r1", "hal", kJan1, EventType::refund, 12'500});
  CHECK(h.sink.recorded.empty());
  h.apply({"p1", "hal", kJan1 + kDay, EventType::purchase, 3'000});
  REQUIRE(h.sink.recorded.size() == 1);
  CHECK(h.sink.recorded[0].snapshot.monetary_total.thousandths == -9'500);
  CHECK(h.sink.recorded[0].snapshot.purchases == 1);
  const auto& members = h.processor.checkpoint().stats.family(FamilyId::lifecycle).members;
  CHECK(members[static_cast<std::size_t>(LifecycleLabel::new_member)] == 1);
  CHECK(members[static_cast<std::size_t>(LifecycleLabel::none)] == 0);
}

TEST_CASE("a late purchase brings a dormant member back", "[processor]") {
  Harness h;
  h.apply({"d1", "dave", kJan1});
  h.apply({"x1", "xena", kJan1 + 200 * kDay});    // dave: new > dormant > lost
  h.apply({"d0", "dave", kJan1 + 150 * kDay});    // late, still counts
  CHECK(h.path("dave").back() == "lost>active");  // 50 days of silence at the clock
  CHECK(h.sink.recorded.back().effective_ts == kJan1 + 200 * kDay - kHour);  // at the clock
  CHECK(h.processor.checkpoint().stats.events_late == 1);
}

TEST_CASE("members-per-segment gauge always sums to the members seen", "[processor]") {
  Harness h;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const std::string member = "m" + std::to_string(rng() % 50);
    const std::int64_t ts = kJan1 + static_cast<std::int64_t>(rng() % (500 * kDay));
    const auto type = rng() % 10 == 0 ? EventType::refund : EventType::purchase;
    h.apply({"e" + std::to_string(i), member, ts, type});
  }
  const auto& stats = h.processor.checkpoint().stats;
  std::int64_t total = 0;
  for (std::int64_t n : stats.family(FamilyId::lifecycle).members) {
    CHECK(n >= 0);
    total += n;
  }
  CHECK(total == static_cast<std::int64_t>(h.members.all().size()));
  std::vector<std::uint64_t> last_seq(50, 0);
  for (const auto& t : h.sink.recorded) {  // seq: per member, from 1, no gaps
    auto& seq = last_seq[std::stoul(t.member_id.substr(1))];
    CHECK(t.seq == seq + 1);
    seq = t.seq;
  }
}

TEST_CASE("a member's figures do not depend on the order of its events", "[processor]") {
  std::vector<OwnedEvent> events;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 300; ++i) {
    const auto type = rng() % 5 == 0 ? EventType::refund : EventType::purchase;
    events.push_back({"e" + std::to_string(i), "m",
                      kJan1 + static_cast<std::int64_t>(rng() % (900 * kDay)), type,
                      static_cast<std::int64_t>(rng() % 100'000)});
  }
  std::optional<MemberFigures> reference;
  for (int round = 0; round < 5; ++round) {
    std::shuffle(events.begin(), events.end(), rng);
    Harness h;
    for (const auto& e : events) h.apply(e);
    const MemberFigures& figures = h.members.all().at("m").figures;
    if (!reference) reference = figures;
    CHECK(figures == *reference);
  }
  CHECK(reference->days.size() <= static_cast<std::size_t>(kDailyHistoryDays));
}

}  // namespace
}  // namespace segmentd
