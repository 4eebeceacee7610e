// SPDX-License-Identifier: GPL-2.0-or-later
// Runs a helper program (lscpu, podman) without blocking the main loop and hands back
// what it printed: the daemons have one thread, and a helper may be slow or hang. The
// program is a path or a name looked up in PATH, so tests can put a stand-in in place.
#pragma once

#include <gio/gio.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "result.hpp"

namespace metrics::instrumentation {

struct ProgramRequest {
  std::string program;  // looked up in PATH when it has no slash
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> environment;  // set on top of ours
  std::chrono::milliseconds timeout{30'000};
  size_t max_output = size_t{1} << 20;         // more is not what the program prints
  ErrorCode error_code = ErrorCode::kForeign;  // of every failure but "not found"
  std::optional<ErrorCode> not_found_code;     // when the program does not exist
  std::string not_found_hint;  // appended to that message: " (is util-linux installed?)"
};

using ProgramDone = std::function<void(Result<std::string>)>;

// Starts the program and returns at once. `done` is called exactly once, later, from the
// thread-default main context, with stdout or an Error saying why not: not found (its own
// code), killed, non-zero exit, more output than allowed, or still running after the
// timeout (it is then killed). Its stderr is discarded, its stdin is /dev/null.
// Cancelling `cancellable` kills the program and `done` is never called, so a caller may
// cancel from its destructor and capture `this`.
void run_program_async(ProgramRequest request, GCancellable* cancellable, ProgramDone done);

// "lscpu --json": the program and its arguments, for messages.
std::string command_line(const ProgramRequest& request);

}  // namespace metrics::instrumentation
