// Test support: a MemberTable held entirely in memory, and a TransitionSink that keeps
// every transition as owned values, so engine tests need neither RocksDB nor files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/member_table.h"
#include "engine/transition.h"

namespace segmentd::testing {

class InMemoryMembers final : public MemberTable {
 public:
  MemberState& load(std::string_view member_id) override {
    last_ = &members_[std::string(member_id)];
    return *last_;
  }
  void mark_changed() override { ++changes_; }
  std::vector<std::string> member_ids() override {
    std::vector<std::string> ids;
    for (const auto& [id, state] : members_) ids.push_back(id);
    return ids;
  }
  const std::map<std::string, MemberState>& all() const { return members_; }
  int changes() const { return changes_; }

 private:
  std::map<std::string, MemberState> members_;
  MemberState* last_ = nullptr;
  int changes_ = 0;
};

struct RecordedTransition {
  std::string member_id, family, from, to, event_id;
  std::int64_t effective_ts = 0;
  TransitionCause cause = TransitionCause::event;
  std::uint64_t seq = 0;
  TransitionSnapshot snapshot;
};

class RecordingSink final : public TransitionSink {
 public:
  void emit(const Transition& t) override {
    recorded.push_back(RecordedTransition{
        std::string(t.member_id), std::string(t.family), std::string(t.from), std::string(t.to),
        std::string(t.event_id), t.effective_ts.ms, t.cause, t.seq, t.snapshot});
  }
  std::vector<RecordedTransition> recorded;
};

}  // namespace segmentd::testing
