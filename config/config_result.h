// ConfigResult<T>: a value, or the message explaining why there is none. The config
// module returns every failure this way (never exits, never throws), so the caller
// decides how to stop start-up. Values; thread-safe to copy.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace segmentd {

template <class T>
class [[nodiscard]] ConfigResult {
 public:
  ConfigResult(T value) : value_(std::move(value)) {}  // implicit: `return value;`
  static ConfigResult failure(std::string message) {
    ConfigResult result;
    result.error_ = std::move(message);
    return result;
  }

  bool ok() const { return value_.has_value(); }
  // REQUIRES: ok().
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  // Empty when ok().
  const std::string& error() const { return error_; }

 private:
  ConfigResult() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace segmentd
