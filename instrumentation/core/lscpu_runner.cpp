// SPDX-License-Identifier: GPL-2.0-or-later
#include "lscpu_runner.hpp"

#include "program_runner.hpp"

namespace metrics::instrumentation {

void run_lscpu_async(const std::string& program, GCancellable* cancellable, LscpuDone done,
                     std::chrono::milliseconds timeout) {
  ProgramRequest request;
  request.program = program;
  request.arguments = {"--json"};
  request.environment = {{"LC_NUMERIC", "C"}};
  request.timeout = timeout;
  request.error_code = ErrorCode::kLscpuFailed;
  request.not_found_hint = " (is util-linux installed?)";
  run_program_async(std::move(request), cancellable, std::move(done));
}

}  // namespace metrics::instrumentation
