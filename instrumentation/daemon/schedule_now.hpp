// SPDX-License-Identifier: GPL-2.0-or-later
// "Now" as the daily schedule measures it: this boot's id, CLOCK_BOOTTIME and the wall
// clock, read together.
#pragma once

#include "daily_schedule.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

ScheduleNow schedule_now(const SourceTree& tree);

}  // namespace metrics::instrumentation
