// SPDX-License-Identifier: GPL-2.0-or-later
#include "schedule_store.hpp"

#include "journal.hpp"

namespace metrics::instrumentation {

ScheduleStore::ScheduleStore(std::filesystem::path file)
    : file_(std::move(file)), state_(load_schedule_state(file_)) {
  for (const auto& warning : state_.warnings)
    journal::warning(warning, {{}, journal::kScheduleProblem});
  state_.warnings.clear();
}

Result<void> ScheduleStore::save() {
  return save_schedule_state(file_, state_);
}

}  // namespace metrics::instrumentation
