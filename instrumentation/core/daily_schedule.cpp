// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_schedule.hpp"

#include <algorithm>

namespace metrics::instrumentation {

namespace {

DailyAnchor anchor_in(const ScheduleNow& now, int64_t wait_ns, int64_t due_wall_ns) {
  return DailyAnchor{now.boot_id, now.boottime_ns + wait_ns, due_wall_ns};
}

}  // namespace

DailyDecision decide_daily(const std::optional<DailyAnchor>& anchor, const ScheduleNow& now) {
  DailyDecision decision;
  if (!anchor) {
    decision.due = true;
    return decision;
  }

  const bool same_boot = !now.boot_id.empty() && anchor->boot_id == now.boot_id;
  if (same_boot) {
    const int64_t remaining = anchor->due_boottime_ns - now.boottime_ns;
    if (remaining <= 0) {
      decision.due = true;
      return decision;
    }
    decision.wait_ns = std::min(remaining, kDailyIntervalNs);
    // More than a day ahead cannot come from us: a damaged file; cap it.
    if (remaining > kDailyIntervalNs)
      decision.reanchored = anchor_in(now, decision.wait_ns, now.wall_ns + decision.wait_ns);
    return decision;
  }

  // A different boot: only the wall clock spans reboots.
  const int64_t last_sent_wall = anchor->due_wall_ns - kDailyIntervalNs;
  if (now.wall_ns < last_sent_wall) {
    // The clock is behind the last send: elapsed time is unknowable; wait a full day.
    decision.wait_ns = kDailyIntervalNs;
    decision.reanchored = anchor_in(now, kDailyIntervalNs, now.wall_ns + kDailyIntervalNs);
    return decision;
  }
  if (now.wall_ns >= anchor->due_wall_ns) {
    decision.due = true;
    return decision;
  }
  decision.wait_ns = anchor->due_wall_ns - now.wall_ns;
  decision.reanchored = anchor_in(now, decision.wait_ns, anchor->due_wall_ns);
  return decision;
}

DailyAnchor anchor_after_sending(const ScheduleNow& now) {
  return anchor_in(now, kDailyIntervalNs, now.wall_ns + kDailyIntervalNs);
}

}  // namespace metrics::instrumentation
