// SPDX-License-Identifier: GPL-2.0-or-later
// Runs `lscpu --json` the way the catalog asks (LC_NUMERIC=C, so decimals use a dot
// even where util-linux would follow the locale), without blocking the main loop: the
// daemon has one thread, and lscpu on a machine with many CPUs or a slow /sys can take
// a while. The program is injectable for tests.
#pragma once

#include <gio/gio.h>

#include <chrono>
#include <functional>
#include <string>

#include "result.hpp"

namespace metrics::instrumentation {

inline constexpr std::chrono::milliseconds kLscpuTimeout{30'000};

using LscpuDone = std::function<void(Result<std::string>)>;

// Starts `<program> --json` (looked up in PATH when it has no slash) and returns at
// once. `done` is called exactly once, later, from the thread-default main context,
// with stdout (at most 1 MiB) or an Error "LscpuFailed" that says why: not found,
// killed, non-zero exit, or still running after `timeout` (it is then killed).
// Cancelling `cancellable` kills the program and `done` is never called, so a caller
// may cancel from its destructor and capture `this`.
void run_lscpu_async(const std::string& program, GCancellable* cancellable, LscpuDone done,
                     std::chrono::milliseconds timeout = kLscpuTimeout);

}  // namespace metrics::instrumentation
