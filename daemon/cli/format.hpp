// SPDX-License-Identifier: GPL-2.0-or-later
// Human-readable quantities: durations, relative and absolute times, byte sizes, counts.
// Deterministic (C locale, explicit "now" and time zone) so the tests can pin them.
#pragma once

#include <glib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace metrics::cli {

// "45 s", "12 min", "3 h", "3 h 12 min", "1 day", "2 days 3 h": at most two units.
std::string format_duration(std::uint64_t seconds);

// "in 12 min", "3 h ago", or "now" within a second.
std::string format_relative(std::int64_t when, std::int64_t now);

// SI units as in the recorder's byte limits: "999 B", "1.2 kB", "10.0 MB".
std::string format_bytes(std::uint64_t bytes);

// "Tue 2024-05-14 10:03:12 CEST" in `tz`; the plain number when out of GDateTime's range.
std::string format_timestamp(std::int64_t unix_seconds, GTimeZone* tz);

// "1 event", "2 events".
std::string format_count(std::uint64_t n, std::string_view singular, std::string_view plural);

}  // namespace metrics::cli
