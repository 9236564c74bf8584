#include "state/changelog_record.h"

#include "state/member_codec.h"

namespace segmentd {

namespace {
constexpr char kMemberPrefix = 'm';
}

std::string changelog_member_key(std::string_view member_id) {
  std::string key;
  key.reserve(1 + member_id.size());
  key.push_back(kMemberPrefix);
  key.append(member_id);
  return key;
}

ChangelogKey classify_changelog_key(std::string_view key, std::string_view& member_id) {
  if (key == kChangelogCheckpointKey) return ChangelogKey::checkpoint;
  if (key.size() >= 2 && key.size() <= 1 + kMaxStoredEventIdBytes && key.front() == kMemberPrefix) {
    member_id = key.substr(1);
    return ChangelogKey::member;
  }
  return ChangelogKey::unknown;
}

}  // namespace segmentd
