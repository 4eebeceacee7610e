// Runs `lscpu --json` the way the catalog asks (LC_NUMERIC=C, so decimals use a dot
// even where util-linux would follow the locale). The program is injectable for tests.
#pragma once

#include <string>

#include "result.hpp"

namespace metrics::instrumentation {

// stdout of `<program> --json` (at most 1 MiB). Errors "LscpuFailed": not found,
// killed, non-zero exit, all with the reason. `program` is looked up in PATH when it
// has no slash. Blocks until the program exits; lscpu reads /proc and /sys only.
Result<std::string> run_lscpu(const std::string& program = "lscpu");

}  // namespace metrics::instrumentation
