// SPDX-License-Identifier: GPL-2.0-or-later
// A settable metrics::Clock for unit tests: every time source is a plain field.
#pragma once

#include <time.h>

#include <cstdint>

#include "clock.hpp"

namespace metrics::testing {

constexpr int64_t kNsPerSecond = 1'000'000'000;

constexpr int64_t seconds(int64_t s) {
  return s * kNsPerSecond;
}

class FakeClock final : public Clock {
 public:
  FakeClock() = default;
  FakeClock(int64_t boot, int64_t mono, int64_t real)
      : boottime(boot), monotonic(mono), realtime(real) {}

  int64_t boottime_ns() const override { return boottime; }
  int64_t monotonic_ns() const override { return monotonic; }
  int64_t realtime_ns() const override { return realtime; }

  // Time passes while the machine is awake: every clock moves by the same amount.
  void advance(int64_t ns) {
    boottime += ns;
    monotonic += ns;
    realtime += ns;
  }

  int64_t boottime = 0;
  int64_t monotonic = 0;
  int64_t realtime = 0;
};

// ns since the epoch of a UTC calendar instant (independent of TZ).
inline int64_t utc_ns(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  struct tm t = {};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return static_cast<int64_t>(timegm(&t)) * kNsPerSecond;
}

}  // namespace metrics::testing
