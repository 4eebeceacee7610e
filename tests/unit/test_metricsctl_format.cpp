// SPDX-License-Identifier: GPL-2.0-or-later
#include "format.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "glib_handles.hpp"

namespace metrics::cli {
namespace {

TEST(MetricsctlFormat, DurationUsesAtMostTwoUnits) {
  EXPECT_EQ(format_duration(0), "0 s");
  EXPECT_EQ(format_duration(1), "1 s");
  EXPECT_EQ(format_duration(59), "59 s");
  EXPECT_EQ(format_duration(60), "1 min");
  EXPECT_EQ(format_duration(12 * 60 + 30), "12 min");  // seconds dropped once minutes show
  EXPECT_EQ(format_duration(3600), "1 h");
  EXPECT_EQ(format_duration(3 * 3600 + 30), "3 h");
  EXPECT_EQ(format_duration(3 * 3600 + 12 * 60 + 5), "3 h 12 min");
  EXPECT_EQ(format_duration(86400), "1 day");
  EXPECT_EQ(format_duration(2 * 86400 + 3 * 3600 + 59 * 60), "2 days 3 h");
  EXPECT_EQ(format_duration(400 * 86400ull), "400 days");
}

TEST(MetricsctlFormat, RelativeTimes) {
  constexpr std::int64_t now = 1'700'000'000;
  EXPECT_EQ(format_relative(now, now), "now");
  EXPECT_EQ(format_relative(now + std::int64_t{12} * 60, now), "in 12 min");
  EXPECT_EQ(format_relative(now - std::int64_t{3} * 3600, now), "3 h ago");
  EXPECT_EQ(format_relative(now - 1, now), "1 s ago");
}

TEST(MetricsctlFormat, RelativeTimesDoNotOverflowOnExtremeValues) {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(format_relative(hi, lo), "in 213503982334601 days 7 h");
  EXPECT_EQ(format_relative(lo, hi), "213503982334601 days 7 h ago");
}

TEST(MetricsctlFormat, BytesInSiUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(999), "999 B");
  EXPECT_EQ(format_bytes(1000), "1.0 kB");
  EXPECT_EQ(format_bytes(12345), "12.3 kB");
  EXPECT_EQ(format_bytes(999'949), "999.9 kB");
  EXPECT_EQ(format_bytes(999'950), "1.0 MB");  // not "1000.0 kB"
  EXPECT_EQ(format_bytes(10'000'000), "10.0 MB");
  EXPECT_EQ(format_bytes(4'200'000'000), "4.2 GB");
  EXPECT_EQ(format_bytes(std::numeric_limits<std::uint64_t>::max()), "18.4 EB");
}

TEST(MetricsctlFormat, TimestampInTheGivenZone) {
  GTimeZonePtr utc(g_time_zone_new_utc());
  EXPECT_EQ(format_timestamp(0, utc.get()), "Thu 1970-01-01 00:00:00 UTC");
  EXPECT_EQ(format_timestamp(1'715'680'992, utc.get()), "Tue 2024-05-14 10:03:12 UTC");
  GTimeZonePtr plus2(g_time_zone_new_identifier("+02:00"));
  ASSERT_TRUE(plus2);
  EXPECT_EQ(format_timestamp(1'715'680'992, plus2.get()), "Tue 2024-05-14 12:03:12 +02:00");
}

TEST(MetricsctlFormat, TimestampOutOfRangeIsTheNumber) {
  GTimeZonePtr utc(g_time_zone_new_utc());
  EXPECT_EQ(format_timestamp(std::numeric_limits<std::int64_t>::max(), utc.get()),
            "9223372036854775807");
}

TEST(MetricsctlFormat, CountsAgreeInNumber) {
  EXPECT_EQ(format_count(0, "event", "events"), "0 events");
  EXPECT_EQ(format_count(1, "event", "events"), "1 event");
  EXPECT_EQ(format_count(2, "event", "events"), "2 events");
}

}  // namespace
}  // namespace metrics::cli
