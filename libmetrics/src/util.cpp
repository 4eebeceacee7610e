// SPDX-License-Identifier: LGPL-2.1-or-later
// emtr_util_get_current_time, the clock helper of the public API.
#include <eosmetrics/eosmetrics.h>

#include "clock.hpp"

extern "C" gboolean emtr_util_get_current_time(clockid_t clock_id, gint64* current_time) {
  g_return_val_if_fail(current_time != nullptr, FALSE);
  const auto now = emtr::clock_ns(clock_id);
  if (!now) {
    g_critical("Cannot read clock %d in nanoseconds.", static_cast<int>(clock_id));
    return FALSE;
  }
  *current_time = *now;
  return TRUE;
}
