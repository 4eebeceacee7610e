// SPDX-License-Identifier: LGPL-2.1-or-later
// Clock readings in nanoseconds; event timestamps use CLOCK_BOOTTIME.
#pragma once

#include <glib.h>
#include <time.h>

#include <optional>

namespace emtr {

// nullopt when the clock cannot be read or its value does not fit in 64 bits.
std::optional<gint64> clock_ns(clockid_t clock_id);

// CLOCK_BOOTTIME keeps counting during suspend, as the recorder expects.
inline std::optional<gint64> boottime_ns() {
  return clock_ns(CLOCK_BOOTTIME);
}

}  // namespace emtr
