#include "state/legacy_store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "state/varint.h"

namespace segmentd {

namespace {

constexpr std::string_view kTimers = "timers";

std::vector<std::string> families_of(const std::string& dir) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) names.clear();
  return names;
}

}  // namespace

Status add_legacy_timer(const std::string& dir, StreamId stream, EpochMs due,
                        std::string_view member_id) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families_of(dir)) descriptors.push_back({name, {}});
  rocksdb::DBOptions options;
  options.create_missing_column_families = true;
  if (std::none_of(descriptors.begin(), descriptors.end(),
                   [](const auto& d) { return d.name == kTimers; })) {
    descriptors.push_back({std::string(kTimers), {}});
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return Status::fatal(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string key;
  bytes::put_fixed32(key, stream.value);
  bytes::put_fixed64(key, bytes::biased(due.ms));
  key.append(member_id);
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    if (descriptors[i].name == kTimers) s = db->Put(rocksdb::WriteOptions(), handles[i], key, "");
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  return s.ok() ? Status::ok() : Status::fatal(s.ToString());
}

bool has_column_family(const std::string& dir, std::string_view name) {
  const std::vector<std::string> names = families_of(dir);
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace segmentd
