// SPDX-License-Identifier: GPL-2.0-or-later
// Arithmetic on configured limits that cannot overflow: cache-size.conf's maximum may be
// anything up to 2^64-1 and a limit must still mean what it says.
#pragma once

#include <cstdint>

namespace metrics {

// `percent` (0..100) of `total`, rounded down, exact for every uint64 total.
constexpr uint64_t percent_of(uint64_t total, uint32_t percent) {
  return total / 100 * percent + total % 100 * percent / 100;
}

// Whether `used` + `more` stays within `limit`. Negative amounts count as 0.
constexpr bool fits_within(int64_t used, int64_t more, uint64_t limit) {
  const uint64_t u = used < 0 ? 0 : static_cast<uint64_t>(used);
  const uint64_t m = more < 0 ? 0 : static_cast<uint64_t>(more);
  return m <= limit && u <= limit - m;
}

}  // namespace metrics
