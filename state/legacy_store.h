// Test-only (linked by tests, never by the service): makes a state dir look like one
// written by a release whose store kept timers in a `timers` column family (key =
// stream + due + member id, empty value), to test that StateStore::open drops that
// family and restores timers from the member records. No RocksDB type appears here.
#pragma once

#include <string>
#include <string_view>

#include "engine/status.h"
#include "engine/units.h"
#include "state/state_store.h"

namespace segmentd {

// Adds the `timers` family to the closed store in `dir` (creating it if missing) and
// writes one timer entry into it.
Status add_legacy_timer(const std::string& dir, StreamId stream, EpochMs due,
                        std::string_view member_id);

// Whether the closed store in `dir` has a column family named `name`.
bool has_column_family(const std::string& dir, std::string_view name);

}  // namespace segmentd
