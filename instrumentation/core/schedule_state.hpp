// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's persistent schedule: one DailyAnchor per daily collector and the boot
// for which startup timing was recorded. A key file in the state directory
// (/var/lib/eos-metrics-instrumentation/schedule), written atomically.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daily_schedule.hpp"
#include "result.hpp"

namespace metrics::instrumentation {

struct ScheduleState {
  std::map<std::string, DailyAnchor> daily;  // by collector config key
  std::optional<std::string> startup_boot_id;
  std::vector<std::string> warnings;  // groups that were unusable (and so are due)
};

// A missing file is an empty state (everything due). A damaged group is dropped with a
// warning; a file that cannot be parsed at all gives an empty state and a warning.
ScheduleState load_schedule_state(const std::filesystem::path& file);

// Error "StateWriteFailed" with the path and reason; the directory is created.
Result<void> save_schedule_state(const std::filesystem::path& file, const ScheduleState& state);

}  // namespace metrics::instrumentation
