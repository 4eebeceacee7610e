// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot_anchor.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace metrics {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kWall = 1'700'000'000 * kSecond;  // a fixed wall-clock instant

TEST(BootAnchor, NoPreviousStartsAtOffsetZero) {
  const BootAnchor a = next_boot_anchor(std::nullopt, "boot-a", 12 * kSecond, kWall);
  EXPECT_EQ(a.boot_id, "boot-a");
  EXPECT_EQ(a.offset_ns, 0);
  EXPECT_EQ(a.boot_ns, 12 * kSecond);
  EXPECT_EQ(a.wall_ns, kWall);
}

TEST(BootAnchor, SameBootKeepsTheAnchor) {
  const BootAnchor previous{"boot-a", 777 * kSecond, 5 * kSecond, kWall};
  // Much later in the same boot, with a different wall clock: nothing changes.
  const BootAnchor a = next_boot_anchor(previous, "boot-a", 4000 * kSecond, kWall - 90 * kSecond);
  EXPECT_EQ(a.boot_id, previous.boot_id);
  EXPECT_EQ(a.offset_ns, previous.offset_ns);
  EXPECT_EQ(a.boot_ns, previous.boot_ns);
  EXPECT_EQ(a.wall_ns, previous.wall_ns);
}

TEST(BootAnchor, NewBootContinuesByElapsedWallTime) {
  // Previous boot anchored at boottime 10 s with offset 100 s: line at anchor = 110 s.
  const BootAnchor previous{"boot-a", 100 * kSecond, 10 * kSecond, kWall};
  // 1 hour of wall time later the new boot has been up for 7 s.
  const int64_t wall_now = kWall + 3600 * kSecond;
  const BootAnchor a = next_boot_anchor(previous, "boot-b", 7 * kSecond, wall_now);
  EXPECT_EQ(a.boot_id, "boot-b");
  EXPECT_EQ(a.boot_ns, 7 * kSecond);
  EXPECT_EQ(a.wall_ns, wall_now);
  // Line now = 110 s + 3600 s; this boot's boottime is 7 s.
  EXPECT_EQ(a.offset_ns, (110 + 3600 - 7) * kSecond);
  EXPECT_EQ(a.offset_ns + a.boot_ns, previous.offset_ns + previous.boot_ns + 3600 * kSecond);
}

TEST(BootAnchor, ChainOfBootsKeepsOneTimeLine) {
  BootAnchor a = next_boot_anchor(std::nullopt, "b1", 5 * kSecond, kWall);
  a = next_boot_anchor(a, "b2", 3 * kSecond, kWall + 1000 * kSecond);
  a = next_boot_anchor(a, "b3", 4 * kSecond, kWall + 5000 * kSecond);
  // The line advanced exactly with wall time: 5 s at the first anchor, +5000 s.
  EXPECT_EQ(a.offset_ns + 4 * kSecond, 5 * kSecond + 5000 * kSecond);
}

TEST(BootAnchor, WallClockSetBackwardsNeverMovesTheLineBackwards) {
  const BootAnchor previous{"boot-a", 50 * kSecond, 20 * kSecond, kWall};
  const int64_t previous_line = previous.offset_ns + previous.boot_ns;  // 70 s
  // The new boot sees a wall clock a day earlier than the previous anchor.
  for (int64_t boot_now : {int64_t{1}, 20 * kSecond, 500 * kSecond}) {
    const BootAnchor a = next_boot_anchor(previous, "boot-b", boot_now, kWall - 86400 * kSecond);
    EXPECT_GE(a.offset_ns + boot_now, previous_line) << "boot_now " << boot_now;
    // Events stamped at the very start of the new boot are not before the old anchor either.
    EXPECT_GE(a.offset_ns, previous_line - boot_now) << "boot_now " << boot_now;
  }
}

TEST(BootAnchor, NewBootWithUnchangedWallClockDoesNotGoBackwards) {
  const BootAnchor previous{"boot-a", 0, 30 * kSecond, kWall};
  const BootAnchor a = next_boot_anchor(previous, "boot-b", 45 * kSecond, kWall);
  EXPECT_GE(a.offset_ns + 45 * kSecond, 30 * kSecond);
}

}  // namespace
}  // namespace metrics
