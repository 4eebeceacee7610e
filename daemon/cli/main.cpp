// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl: show and control the metrics recorder (com.endlessm.Metrics).
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  metrics::cli::Context context{std::cout, std::cerr, isatty(STDERR_FILENO) == 1,
                                isatty(STDOUT_FILENO) == 1};
  return static_cast<int>(metrics::cli::run_metricsctl(args, context));
}
