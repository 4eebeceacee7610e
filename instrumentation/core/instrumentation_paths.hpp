// SPDX-License-Identifier: GPL-2.0-or-later
// Every file and tree the instrumentation daemon reads or writes, relocatable for tests
// and packagers (compare daemon/core/paths.hpp for the recorder).
#pragma once

#include <filesystem>

namespace metrics::instrumentation {

struct InstrumentationPaths {
  std::filesystem::path source_root = "/";  // where /proc, /sys, /etc and /dev are read
  std::filesystem::path config_file = METRICS_INSTRUMENTATION_CONFIG_FILE;
  std::filesystem::path state_dir = METRICS_INSTRUMENTATION_STATE_DIR;
  std::filesystem::path lscpu = "lscpu";

  std::filesystem::path schedule_file() const { return state_dir / "schedule"; }
};

}  // namespace metrics::instrumentation
