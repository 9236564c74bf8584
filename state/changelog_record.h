// The records of a stream's state changelog (SPEC 7): what MemberCache writes at each
// commit and what a restore reads back (app/changelog_restore.h).
//
// - key "m" + member id, value = the member record exactly as the state store keeps it
//   (encode_member(), the member's timer included); a null value (tombstone) removes
//   the member. The engine never removes a member by itself: tombstones are written only
//   for a member that exists in the changelog solely through a commit that never
//   finished (see MemberCache::rewrite_in_changelog).
// - key "c" (member keys all start with "m"), value = encode_checkpoint() of the
//   stream's checkpoint (clock, counters, thresholds, input position, tally), the last
//   record of every commit. Records after a partition's last checkpoint record belong
//   to a commit that did not finish and are not state.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace segmentd {

inline constexpr std::string_view kChangelogCheckpointKey = "c";

std::string changelog_member_key(std::string_view member_id);

enum class ChangelogKey { member, checkpoint, unknown };
// What `key` is; for a member, `member_id` is set to its id.
ChangelogKey classify_changelog_key(std::string_view key, std::string_view& member_id);

}  // namespace segmentd
