#include "bench/micro/bench_data.h"

namespace segmentd::bench {

namespace {

std::uint64_t next(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace

std::vector<std::string> event_lines(std::size_t count, std::size_t members) {
  std::vector<std::string> lines;
  lines.reserve(count);
  std::uint64_t rng = 88172645463325252ULL;
  std::int64_t ts = 1'672'531'722'030;  // 2023-01-01
  for (std::size_t i = 0; i < count; ++i) {
    ts += static_cast<std::int64_t>(next(rng) % 60'000);
    const std::string id = "m-" + std::to_string(next(rng) % members);
    const std::string event_id = "e" + std::to_string(i) + "-0";
    const std::string cents = std::to_string(100 + next(rng) % 20'000);
    const std::string amount =
        cents.substr(0, cents.size() - 2) + "." + cents.substr(cents.size() - 2);
    std::string line = R"({"event_id":")" + event_id + R"(","member_id":")" + id + R"(","ts":)";
    switch (i % 3) {
      case 0:
        line += std::to_string(ts) + R"(,"amount":)" + amount + R"(,"currency":"EUR"})";
        break;
      case 1:
        line += R"("2023-01-01T00:13:06.583Z","amount":")" + amount + R"(","store_id":"s-0195"})";
        break;
      default:
        line += R"("2023-01-01T01:24:32+01:00","amount":")" + amount +
                R"(","items":[{"sku":"GRO-00424","category":"grocery","qty":1},)"
                R"({"sku":"BEV-00623","category":"beverages","qty":1,"price":1.46}]})";
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> member_ids(std::size_t count) {
  std::vector<std::string> ids;
  ids.reserve(count);
  for (std::size_t i = 0; i < count; ++i) ids.push_back("m-" + std::to_string(i));
  return ids;
}

MemberState typical_member(std::uint32_t purchases) {
  MemberState m;
  m.known = true;
  for (std::uint32_t p = 0; p < purchases; ++p) {
    PurchaseEvent e;
    e.ts = EpochMs{1'672'531'722'030 + static_cast<std::int64_t>(p) * 86'400'000 * 9};
    e.amount = Money{12'340 + static_cast<std::int64_t>(p) * 10};
    add_to_figures(m.figures, e, static_cast<std::int32_t>(e.ts.ms / 86'400'000));
    m.recent_events.add("e" + std::to_string(100'000 + p) + "-0", 32);
  }
  m.seq = purchases;
  m.timer = EpochMs{m.figures.last_purchase.ms + 90LL * 86'400'000};
  return m;
}

}  // namespace segmentd::bench
