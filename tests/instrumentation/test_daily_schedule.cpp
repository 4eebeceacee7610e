// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_schedule.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "boot_id.hpp"
#include "fake_clock.hpp"
#include "schedule_state.hpp"
#include "temp_dir.hpp"

using namespace metrics::instrumentation;
using metrics::testing::FakeClock;
using metrics::testing::seconds;
using metrics::testing::TempDir;
using metrics::testing::utc_ns;

namespace {

constexpr int64_t kHour = seconds(3600);
constexpr int64_t kDay = 24 * kHour;

// A machine: boot id plus the injected clock (boottime counts suspend, realtime can jump).
struct Machine {
  std::string boot_id = "boot-1";
  FakeClock clock{seconds(30), seconds(30), utc_ns(2026, 3, 1, 9)};

  ScheduleNow now() const { return {boot_id, clock.boottime_ns(), clock.realtime_ns()}; }
  void reboot(const std::string& id, int64_t powered_off_ns) {
    boot_id = id;
    clock.boottime = seconds(20);
    clock.monotonic = seconds(20);
    clock.realtime += powered_off_ns + seconds(20);
  }
  void suspend(int64_t ns) {
    clock.boottime += ns;
    clock.realtime += ns;
  }
};

// The daemon's loop around the pure decision: persist re-anchoring, send when due.
struct Daemon {
  std::optional<DailyAnchor> anchor;
  int sent = 0;
  DailyDecision check(const ScheduleNow& now) {
    auto decision = decide_daily(anchor, now);
    if (decision.reanchored) anchor = decision.reanchored;
    if (decision.due) {
      anchor = anchor_after_sending(now);
      ++sent;
    }
    return decision;
  }
};

}  // namespace

TEST(DailySchedule, FirstRunIsDue) {
  Machine m;
  Daemon d;
  EXPECT_TRUE(d.check(m.now()).due);
  EXPECT_EQ(d.sent, 1);
}

TEST(DailySchedule, DaemonRestartWithinTheDaySendsNothing) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.clock.advance(3 * kHour);
  auto decision = d.check(m.now());  // a restart is just another check
  EXPECT_FALSE(decision.due);
  EXPECT_EQ(decision.wait_ns, 21 * kHour);
  EXPECT_FALSE(decision.reanchored.has_value());
  m.clock.advance(21 * kHour - 1);
  EXPECT_FALSE(d.check(m.now()).due);
  m.clock.advance(1);
  EXPECT_TRUE(d.check(m.now()).due) << "exactly 24 h later";
  EXPECT_EQ(d.sent, 2);
}

TEST(DailySchedule, SuspendedTimeCounts) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.clock.advance(2 * kHour);
  m.suspend(22 * kHour);  // CLOCK_MONOTONIC stood still, CLOCK_BOOTTIME did not
  EXPECT_TRUE(d.check(m.now()).due);
}

TEST(DailySchedule, WallClockJumpsWithinABootChangeNothing) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.clock.advance(kHour);
  m.clock.realtime += 30 * kDay;  // someone set the clock a month ahead
  EXPECT_FALSE(d.check(m.now()).due);
  m.clock.realtime -= 60 * kDay;  // …and then two months back
  auto decision = d.check(m.now());
  EXPECT_FALSE(decision.due);
  EXPECT_EQ(decision.wait_ns, 23 * kHour);
}

TEST(DailySchedule, RebootWithinTheDayWaitsTheRestAndReanchors) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.clock.advance(2 * kHour);
  m.reboot("boot-2", kHour);  // 1 h off, +20 s to get to the check
  auto decision = d.check(m.now());
  EXPECT_FALSE(decision.due);
  EXPECT_EQ(decision.wait_ns, 21 * kHour - seconds(20));
  ASSERT_TRUE(decision.reanchored.has_value());
  EXPECT_EQ(decision.reanchored->boot_id, "boot-2");
  EXPECT_EQ(decision.reanchored->due_boottime_ns, m.clock.boottime + decision.wait_ns);
  // From now on this boot's CLOCK_BOOTTIME decides: a wall-clock jump is ignored.
  m.clock.advance(kHour);
  m.clock.realtime += 5 * kDay;
  EXPECT_FALSE(d.check(m.now()).due);
  m.clock.advance(20 * kHour - seconds(20));
  EXPECT_TRUE(d.check(m.now()).due);
}

TEST(DailySchedule, RebootAfterADayIsDue) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.reboot("boot-2", 2 * kDay);
  EXPECT_TRUE(d.check(m.now()).due);
}

TEST(DailySchedule, WallClockBehindTheLastSendWaitsAFullDay) {
  Machine m;
  Daemon d;
  d.check(m.now());
  m.reboot("boot-2", kHour);
  m.clock.realtime = utc_ns(2000, 1, 1);  // dead RTC battery
  auto decision = d.check(m.now());
  EXPECT_FALSE(decision.due);
  EXPECT_EQ(decision.wait_ns, kDay);
  // Not stuck forever: one day of this boot later it is due.
  m.clock.advance(kDay);
  EXPECT_TRUE(d.check(m.now()).due);
}

TEST(DailySchedule, UnreadableBootIdFallsBackToTheWallClock) {
  Machine m;
  m.boot_id = "";
  Daemon d;
  d.check(m.now());
  m.clock.advance(kHour);
  EXPECT_FALSE(d.check(m.now()).due);
  m.clock.advance(23 * kHour);
  EXPECT_TRUE(d.check(m.now()).due);
}

TEST(DailySchedule, ADamagedFarFutureDeadlineIsCappedAtADay) {
  Machine m;
  DailyAnchor damaged{m.boot_id, m.clock.boottime + 400 * kDay, m.clock.realtime + 400 * kDay};
  auto decision = decide_daily(damaged, m.now());
  EXPECT_FALSE(decision.due);
  EXPECT_EQ(decision.wait_ns, kDay);
  ASSERT_TRUE(decision.reanchored.has_value());
  EXPECT_EQ(decision.reanchored->due_boottime_ns, m.clock.boottime + kDay);
}

// ---- Persistence -----------------------------------------------------------------------

TEST(ScheduleState, RoundTripsAndSurvivesARestart) {
  TempDir dir;
  const auto file = dir.path() / "state/schedule";
  Machine m;
  ScheduleState state;
  state.daily["hardware-info"] = anchor_after_sending(m.now());
  state.daily["system-locale"] = DailyAnchor{"boot-0", 5, 6};
  state.startup_boot_id = "boot-1";
  ASSERT_TRUE(save_schedule_state(file, state).ok());

  auto loaded = load_schedule_state(file);
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.daily, state.daily);
  EXPECT_EQ(loaded.startup_boot_id, "boot-1");
  // A daemon restarted an hour later reads the file and sends nothing.
  m.clock.advance(kHour);
  EXPECT_FALSE(decide_daily(loaded.daily["hardware-info"], m.now()).due);
}

TEST(ScheduleState, MissingFileIsEmptyAndSilent) {
  TempDir dir;
  auto state = load_schedule_state(dir.path() / "none");
  EXPECT_TRUE(state.daily.empty());
  EXPECT_FALSE(state.startup_boot_id.has_value());
  EXPECT_TRUE(state.warnings.empty());
}

TEST(ScheduleState, DamagedGroupsAreDroppedWithAWarning) {
  TempDir dir;
  const auto file = dir.path() / "schedule";
  std::ofstream(file) << "[daily hardware-info]\nBootId=b\nDueBoottimeNs=-5\nDueWallNs=7\n"
                         "[daily primary-storage]\nBootId=b\nDueBoottimeNs=1\nDueWallNs=2\n"
                         "[daily system-locale]\nBootId=b\nDueWallNs=2\n";
  auto state = load_schedule_state(file);
  EXPECT_EQ(state.daily.size(), 1u);
  EXPECT_EQ(state.daily.count("primary-storage"), 1u);
  EXPECT_EQ(state.warnings.size(), 2u);
}

TEST(ScheduleState, UnparsableFileIsEmptyWithAWarning) {
  TempDir dir;
  const auto file = dir.path() / "schedule";
  std::ofstream(file) << "this is not a key file\n";
  auto state = load_schedule_state(file);
  EXPECT_TRUE(state.daily.empty());
  ASSERT_EQ(state.warnings.size(), 1u);
  EXPECT_NE(state.warnings[0].find("due now"), std::string::npos);
}

TEST(ScheduleState, UnwritableLocationIsAnActionableError) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto saved = save_schedule_state(dir.path() / "file/schedule", ScheduleState{});
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, metrics::ErrorCode::kStateWriteFailed);
  EXPECT_NE(saved.error().message.find("StateDirectory"), std::string::npos);
}

// ---- Boot id ---------------------------------------------------------------------------

TEST(BootId, ReadFromTheTreeAndEmptyWhenNotAUuid) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "proc/sys/kernel/random");
  const auto file = dir.path() / "proc/sys/kernel/random/boot_id";
  std::ofstream(file) << "5f0f4c2e-8e0e-4c0b-9a51-1b2b3c4d5e6f\n";
  EXPECT_EQ(read_boot_id(SourceTree(dir.path())), "5f0f4c2e-8e0e-4c0b-9a51-1b2b3c4d5e6f");
  std::ofstream(file) << "not-a-boot-id\n";
  EXPECT_EQ(read_boot_id(SourceTree(dir.path())), "");
  EXPECT_EQ(read_boot_id(SourceTree(dir.path() / "nowhere")), "");
}
