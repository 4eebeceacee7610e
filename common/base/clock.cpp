// SPDX-License-Identifier: GPL-2.0-or-later
#include "clock.hpp"

#include <time.h>

#include "glib_handles.hpp"

namespace metrics {

namespace {
int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

GDateTimePtr local_time(int64_t realtime_ns) {
  return GDateTimePtr(g_date_time_new_from_unix_local(realtime_ns / 1'000'000'000));
}
}  // namespace

int64_t SystemClock::boottime_ns() const {
  return read_clock(CLOCK_BOOTTIME);
}
int64_t SystemClock::monotonic_ns() const {
  return read_clock(CLOCK_MONOTONIC);
}
int64_t SystemClock::realtime_ns() const {
  return read_clock(CLOCK_REALTIME);
}

LocalPeriods local_periods(int64_t realtime_ns) {
  auto dt = local_time(realtime_ns);
  if (!dt) return {"1970-01-01", "1970-01"};
  GCharPtr day(g_date_time_format(dt.get(), "%Y-%m-%d"));
  GCharPtr month(g_date_time_format(dt.get(), "%Y-%m"));
  return {day.get(), month.get()};
}

int64_t next_local_midnight_ns(int64_t realtime_ns) {
  auto dt = local_time(realtime_ns);
  if (!dt) return realtime_ns + 86'400'000'000'000;
  // Build the next day's 00:00 in the local zone; DST shifts are handled by GLib.
  GDateTimePtr tomorrow(g_date_time_add_days(dt.get(), 1));
  GTimeZonePtr tz(g_time_zone_new_local());
  GDateTimePtr midnight(g_date_time_new(tz.get(), g_date_time_get_year(tomorrow.get()),
                                        g_date_time_get_month(tomorrow.get()),
                                        g_date_time_get_day_of_month(tomorrow.get()), 0, 0, 0));
  if (!midnight) return realtime_ns + 86'400'000'000'000;
  return static_cast<int64_t>(g_date_time_to_unix(midnight.get())) * 1'000'000'000;
}

}  // namespace metrics
