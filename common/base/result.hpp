// SPDX-License-Identifier: GPL-2.0-or-later
// Errors as values: every fallible core operation returns Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "error_code.hpp"

namespace metrics {

// `code` says what failed (error_code.hpp has its name and D-Bus error name); `message` is
// for a person to act on. `dbus_name` is set only on an error a D-Bus peer sent (metricsctl
// reads them), as the peer named it: the only way to tell a name the table lacks
// (ErrorCode::kForeign) and to report the error as it came.
struct Error {
  ErrorCode code = ErrorCode::kForeign;
  std::string message;
  std::string dbus_name = {};
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> Ok() {
  return {};
}

}  // namespace metrics
