#include "engine/timer_index.h"

namespace segmentd {

void TimerIndex::add(EpochMs due, std::string_view member_id) {
  entries_.insert(Key{due, std::string(member_id)});
}

void TimerIndex::remove(EpochMs due, std::string_view member_id) {
  auto it = entries_.find(KeyView{due, member_id});
  if (it != entries_.end()) entries_.erase(it);
}

void TimerIndex::move(std::string_view member_id, std::optional<EpochMs> from,
                      std::optional<EpochMs> to) {
  if (from == to) return;
  if (from && to) {  // reuse the node: no allocation on the hot path
    auto it = entries_.find(KeyView{*from, member_id});
    if (it != entries_.end()) {
      auto node = entries_.extract(it);
      node.value().due = *to;
      entries_.insert(std::move(node));
      return;
    }
  }
  if (from) remove(*from, member_id);
  if (to) add(*to, member_id);
}

std::optional<TimerEntry> TimerIndex::pop_due(EpochMs clock) {
  if (entries_.empty() || entries_.begin()->due > clock) return std::nullopt;
  auto node = entries_.extract(entries_.begin());
  return TimerEntry{node.value().due, std::move(node.value().member_id)};
}

std::optional<EpochMs> TimerIndex::earliest() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.begin()->due;
}

}  // namespace segmentd
