// SPDX-License-Identifier: LGPL-2.1-or-later
#include "clock.hpp"

#include <limits>

namespace emtr {

std::optional<gint64> clock_ns(clockid_t clock_id) {
  struct timespec ts {};
  if (clock_gettime(clock_id, &ts) != 0) return std::nullopt;
  constexpr gint64 kNsPerSecond = 1'000'000'000;
  if (ts.tv_sec > (std::numeric_limits<gint64>::max() - ts.tv_nsec) / kNsPerSecond) {
    return std::nullopt;
  }
  return static_cast<gint64>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

}  // namespace emtr
