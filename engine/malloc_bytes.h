// What the allocator holds for a heap block, for memory budgets that should match RSS:
// glibc malloc rounds each block up to 16 bytes after an 8-byte header, 32 at least.
// Pure function; thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>

namespace segmentd {

// The bytes malloc uses for a block of `requested` bytes.
inline std::size_t malloc_bytes(std::size_t requested) {
  return std::max<std::size_t>(32, (requested + 8 + 15) / 16 * 16);
}

}  // namespace segmentd
