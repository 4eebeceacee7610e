// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's command line and environment: where every source and the state live.
// Production runs without options; tests point each path at a fixture or a temporary
// directory (and the bus at a private one through DBUS_SYSTEM_BUS_ADDRESS).
#pragma once

#include <string>

#include "instrumentation_paths.hpp"
#include "result.hpp"

namespace metrics::instrumentation {

struct DaemonOptions {
  InstrumentationPaths paths;
};

// Precedence for the state directory: --state-dir, then the first entry of
// `state_directory_env` (systemd's STATE_DIRECTORY, a colon-separated list), then the
// built-in /var/lib/eos-metrics-instrumentation. Error "InvalidArguments" with
// GOption's message for anything it cannot parse.
Result<DaemonOptions> parse_daemon_options(int& argc, char**& argv,
                                           const char* state_directory_env);

// The first directory of a STATE_DIRECTORY value; "" for none.
std::string first_state_directory(const char* state_directory_env);

}  // namespace metrics::instrumentation
