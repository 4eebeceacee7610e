// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's copy of the persistent schedule (schedule_state.hpp), shared by the
// startup and daily collectors, which both write the one file.
//
// The rule both follow: change the state, save it, and only then record. If the save
// fails nothing is recorded, because a daemon that cannot remember what it sent would
// send it again after every restart ("at most once" wins over "at least once").
#pragma once

#include <filesystem>

#include "result.hpp"
#include "schedule_state.hpp"

namespace metrics::instrumentation {

class ScheduleStore {
 public:
  // Loads `file`; problems are logged and make the affected collectors due.
  explicit ScheduleStore(std::filesystem::path file);

  ScheduleState& state() { return state_; }
  const std::filesystem::path& file() const { return file_; }

  // Writes the whole state atomically; the error names the file and what to fix.
  Result<void> save();

 private:
  std::filesystem::path file_;
  ScheduleState state_;
};

}  // namespace metrics::instrumentation
