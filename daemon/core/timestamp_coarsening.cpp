// SPDX-License-Identifier: GPL-2.0-or-later
#include "timestamp_coarsening.hpp"

#include <limits>

namespace metrics {

namespace {

// 128-bit intermediates: the sums of three int64 values cannot overflow.
using Wide = __int128;

int64_t saturate(Wide v) {
  constexpr Wide kMin = std::numeric_limits<int64_t>::min();
  constexpr Wide kMax = std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(v < kMin ? kMin : (v > kMax ? kMax : v));
}

// Floor division (towards minus infinity) for g > 0.
Wide floor_to_multiple(Wide v, Wide g) {
  Wide q = v / g;
  if (v % g != 0 && v < 0) --q;
  return q * g;
}

}  // namespace

int64_t server_event_time_ns(int64_t request_absolute_ns, int64_t request_relative_ns,
                             int64_t event_relative_ns) {
  return saturate(Wide{request_absolute_ns} - request_relative_ns + event_relative_ns);
}

int64_t coarsen_relative_ns(int64_t request_absolute_ns, int64_t request_relative_ns,
                            int64_t event_relative_ns, int64_t granularity_ns) {
  const Wide g = granularity_ns < 1 ? 1 : granularity_ns;
  const Wide origin = Wide{request_absolute_ns} - request_relative_ns;  // wall time of rel 0
  Wide wall = origin + event_relative_ns;
  if (wall > request_absolute_ns) wall = request_absolute_ns;  // never in the future
  const Wide target = floor_to_multiple(wall, g);
  return saturate(target - origin);
}

}  // namespace metrics
