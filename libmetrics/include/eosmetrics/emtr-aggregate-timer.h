/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A running aggregate timer of the recorder (StartAggregateTimer / StopTimer). */
#pragma once

#if !(defined(_EMTR_INSIDE_EOSMETRICS_H) || defined(COMPILING_EOS_METRICS))
#error "Only <eosmetrics/eosmetrics.h> can be included directly."
#endif

#include "emtr-types.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * EmtrAggregateTimer:
 *
 * A timer started with emtr_event_recorder_start_aggregate_timer(). While it runs, the
 * recorder counts its whole seconds towards the daily and monthly counts of its event and
 * payload. It stops when emtr_aggregate_timer_stop() is called or when its last reference
 * is dropped, whichever comes first — also when the recorder had not yet answered the
 * start. The recorder also stops it when the process leaves the bus.
 *
 * Since: 0.5
 */
#define EMTR_TYPE_AGGREGATE_TIMER (emtr_aggregate_timer_get_type())
EMTR_AVAILABLE_IN_0_5
G_DECLARE_FINAL_TYPE(EmtrAggregateTimer, emtr_aggregate_timer, EMTR, AGGREGATE_TIMER, GObject)

/**
 * emtr_aggregate_timer_stop:
 * @self: an #EmtrAggregateTimer
 *
 * Stops the timer. A timer can be stopped once; dropping the last reference afterwards
 * does not stop it again. Never blocks: the stop is sent in the background.
 *
 * Since: 0.5
 */
EMTR_AVAILABLE_IN_0_5
void emtr_aggregate_timer_stop(EmtrAggregateTimer* self);

G_END_DECLS
