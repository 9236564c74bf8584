// A fixed-capacity character buffer for building one event line: appends are
// inline copies with no capacity checks or allocation, so rendering costs only
// the bytes it writes. The caller guarantees the line fits (event lines stay under
// 1.5 KB: at most 6 items, every field bounded); exceeding kCapacity is a bug
// (checked by assert in debug builds). Not thread-safe; one per thread.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace segmentd::gen {

class LineBuffer {
 public:
  static constexpr std::size_t kCapacity = 4096;

  void append(const char* data, std::size_t size) {
    assert(size_ + size <= kCapacity);
    std::memcpy(data_ + size_, data, size);
    size_ += size;
  }
  void push_back(char c) {
    assert(size_ < kCapacity);
    data_[size_++] = c;
  }
  LineBuffer& operator+=(std::string_view text) {
    append(text.data(), text.size());
    return *this;
  }
  LineBuffer& operator+=(char c) {
    push_back(c);
    return *this;
  }
  std::string_view view() const { return {data_, size_}; }
  void clear() { size_ = 0; }

 private:
  char data_[kCapacity];
  std::size_t size_ = 0;
};

}  // namespace segmentd::gen
