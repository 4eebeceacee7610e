// SPDX-License-Identifier: GPL-2.0-or-later
#include "schedule_now.hpp"

#include "boot_id.hpp"
#include "clock.hpp"

namespace metrics::instrumentation {

ScheduleNow schedule_now(const SourceTree& tree) {
  const SystemClock clock;
  return ScheduleNow{read_boot_id(tree), clock.boottime_ns(), clock.realtime_ns()};
}

}  // namespace metrics::instrumentation
