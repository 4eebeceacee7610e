// SPDX-License-Identifier: GPL-2.0-or-later
// "At most once per 24 h", across daemon restarts, reboots and suspend.
//
// The rule (docs/instrumentation.md, "Scheduling"):
//  * Within one boot the interval is measured on CLOCK_BOOTTIME: it counts suspended
//    time and cannot be moved by anyone setting the wall clock.
//  * Across a reboot CLOCK_BOOTTIME restarts, so the wall clock is the only witness of
//    how much time passed. At the first check in a new boot the wall-clock deadline is
//    turned into a CLOCK_BOOTTIME deadline of this boot (re-anchoring) and persisted,
//    so wall-clock jumps later in the boot no longer matter.
//  * A wall clock earlier than the last send (set back, or a dead RTC battery) says
//    nothing about elapsed time: the conservative answer is a full 24 h from now.
//  * No state (first run, or the state file was lost): due now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace metrics::instrumentation {

inline constexpr int64_t kDailyIntervalNs = int64_t{24} * 3600 * 1'000'000'000;

// Persisted per daily collector.
struct DailyAnchor {
  std::string boot_id;          // the boot whose CLOCK_BOOTTIME due_boottime_ns is on
  int64_t due_boottime_ns = 0;  // next send allowed at this CLOCK_BOOTTIME (same boot)
  int64_t due_wall_ns = 0;      // …and at this wall-clock time (later boots)
  bool operator==(const DailyAnchor&) const = default;
};

struct ScheduleNow {
  std::string boot_id;  // "" when unreadable: then every check counts as a new boot
  int64_t boottime_ns = 0;
  int64_t wall_ns = 0;
};

struct DailyDecision {
  bool due = false;
  int64_t wait_ns = 0;  // CLOCK_BOOTTIME ns until due; 0 when due
  // Set when the anchor changed without a send (re-anchoring): persist it.
  std::optional<DailyAnchor> reanchored;
};

DailyDecision decide_daily(const std::optional<DailyAnchor>& anchor, const ScheduleNow& now);

// The anchor to persist when sending now. Persist it before recording the event: a
// crash in between then loses one day's event instead of sending it twice.
DailyAnchor anchor_after_sending(const ScheduleNow& now);

}  // namespace metrics::instrumentation
