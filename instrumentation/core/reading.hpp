// SPDX-License-Identifier: GPL-2.0-or-later
// What a collector hands back: always a value (a fallback where a source failed, never
// an error that would stop the daemon), plus one line per fallback taken, for the
// journal, so an administrator can see why a field says "unknown".
#pragma once

#include <string>
#include <vector>

namespace metrics::instrumentation {

template <typename T>
struct Reading {
  T value;
  std::vector<std::string> warnings;
};

}  // namespace metrics::instrumentation
