// SPDX-License-Identifier: GPL-2.0-or-later
#include "format.hpp"

#include <array>
#include <cstdio>

#include "glib_handles.hpp"

namespace metrics::cli {

namespace {

struct Unit {
  std::uint64_t seconds;
  std::string_view singular;
  std::string_view plural;
};

// Units of a duration, largest first; the short ones read like systemd's "3h 12min".
constexpr std::array<Unit, 4> kUnits = {
    Unit{86400, "day", "days"},
    Unit{3600, "h", "h"},
    Unit{60, "min", "min"},
    Unit{1, "s", "s"},
};

}  // namespace

std::string format_count(std::uint64_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string format_duration(std::uint64_t seconds) {
  for (std::size_t i = 0; i < kUnits.size(); ++i) {
    const Unit& big = kUnits[i];
    if (seconds < big.seconds && big.seconds != 1) continue;
    std::string text = format_count(seconds / big.seconds, big.singular, big.plural);
    // A second, smaller unit only where it says something (not "3 h 12 min 5 s").
    if (i + 1 < kUnits.size() && big.seconds >= 3600) {
      const Unit& small = kUnits[i + 1];
      const std::uint64_t rest = (seconds % big.seconds) / small.seconds;
      if (rest > 0) text += " " + format_count(rest, small.singular, small.plural);
    }
    return text;
  }
  return "0 s";
}

std::string format_relative(std::int64_t when, std::int64_t now) {
  if (when == now) return "now";
  // Unsigned difference: no overflow even for the extreme values a peer could send.
  if (when > now)
    return "in " +
           format_duration(static_cast<std::uint64_t>(when) - static_cast<std::uint64_t>(now));
  return format_duration(static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(when)) +
         " ago";
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  constexpr std::array<std::string_view, 6> kPrefixes = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes) / 1000.0;
  std::size_t unit = 0;
  // 999.95 would print as "1000.0": move up a unit before rounding does that.
  while (value >= 999.95 && unit + 1 < kPrefixes.size()) {
    value /= 1000.0;
    ++unit;
  }
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.1f ", value);
  return std::string(buf.data()) + std::string(kPrefixes[unit]);
}

std::string format_timestamp(std::int64_t unix_seconds, GTimeZone* tz) {
  GDateTimePtr utc(g_date_time_new_from_unix_utc(unix_seconds));
  if (!utc) return std::to_string(unix_seconds);
  GDateTimePtr local(g_date_time_to_timezone(utc.get(), tz));
  if (!local) return std::to_string(unix_seconds);
  GCharPtr text(g_date_time_format(local.get(), "%a %Y-%m-%d %H:%M:%S %Z"));
  return text ? std::string(text.get()) : std::to_string(unix_seconds);
}

}  // namespace metrics::cli
