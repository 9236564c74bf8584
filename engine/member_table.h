// Where the stream processor finds member state: a map from member id to MemberState
// that the state module backs with a cache over RocksDB (state/member_cache.h) and
// tests back with plain memory (tests/support).
//
// Contract: load() returns the member's state (a default MemberState, known == false,
// for a member never seen); the reference is valid until the next load(). After
// changing it the caller calls mark_changed(), which applies to the member returned by
// the most recent load(): only changed members are persisted at the next commit.
// read_figures() gives what the daily sweep reads of a member, only to read: `known`,
// its figures, unswept purchases and last swept purchase (its other fields may be
// anything), and leaves the table as it was: a table that holds some members in a
// compact form or not at all (state/member_cache.h) need not make room for it, nor
// decode the rest; the reference is valid until the next call on the table, and
// mark_changed() still applies to the most recent load(). The default is load().
// member_ids() lists every member the table holds (for the daily sweep's roster, read
// once at start-up). Not thread-safe: owned by the stream's processing thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/member_state.h"

namespace segmentd {

class MemberTable {
 public:
  virtual ~MemberTable() = default;
  virtual MemberState& load(std::string_view member_id) = 0;
  virtual const MemberState& read_figures(std::string_view member_id) { return load(member_id); }
  virtual void mark_changed() = 0;
  // A hint that `member_id` will be loaded soon (see MemberCache::prefetch); `step` 0, 1
  // and 2 as it comes closer. Changes nothing; the default does nothing.
  virtual void prefetch(std::string_view /*member_id*/, int /*step*/) {}
  virtual std::vector<std::string> member_ids() = 0;
};

}  // namespace segmentd
