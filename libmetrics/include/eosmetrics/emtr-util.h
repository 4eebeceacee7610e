/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clock helper of the original API. */
#pragma once

#if !(defined(_EMTR_INSIDE_EOSMETRICS_H) || defined(COMPILING_EOS_METRICS))
#error "Only <eosmetrics/eosmetrics.h> can be included directly."
#endif

#include "emtr-types.h"

#include <sys/types.h>
#include <time.h>

G_BEGIN_DECLS

/**
 * emtr_util_get_current_time: (skip)
 * @clock_id: the clock to read, such as `CLOCK_BOOTTIME` (the clock event timestamps use)
 * @current_time: (out): where to store the clock's value in nanoseconds
 *
 * Reads a clock in nanoseconds. C only: `clockid_t` has no introspection type (use
 * GLib.get_monotonic_time() or the language's clock functions instead).
 *
 * Returns: %TRUE on success; %FALSE (and a critical) when the clock cannot be read or its
 *   value does not fit.
 */
EMTR_AVAILABLE_IN_0_0
gboolean emtr_util_get_current_time(clockid_t clock_id, gint64* current_time);

G_END_DECLS
