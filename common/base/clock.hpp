// SPDX-License-Identifier: GPL-2.0-or-later
// Time sources, injected so the core can be tested with a fake clock.
#pragma once

#include <cstdint>
#include <string>

namespace metrics {

class Clock {
 public:
  virtual ~Clock() = default;
  // CLOCK_BOOTTIME: the time-line clients stamp events with (counts suspend).
  virtual int64_t boottime_ns() const = 0;
  // CLOCK_MONOTONIC: timer durations (does not count suspend, as the spec asks).
  virtual int64_t monotonic_ns() const = 0;
  // Wall clock, ns since the epoch.
  virtual int64_t realtime_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t boottime_ns() const override;
  int64_t monotonic_ns() const override;
  int64_t realtime_ns() const override;
};

// Local calendar periods of a wall-clock instant (uses the process time zone, TZ).
struct LocalPeriods {
  std::string day;    // YYYY-MM-DD
  std::string month;  // YYYY-MM
};
LocalPeriods local_periods(int64_t realtime_ns);
// The next local midnight strictly after `realtime_ns`, in ns since the epoch.
int64_t next_local_midnight_ns(int64_t realtime_ns);

}  // namespace metrics
