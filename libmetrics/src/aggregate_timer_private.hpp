// SPDX-License-Identifier: LGPL-2.1-or-later
// How the recorder creates EmtrAggregateTimer objects (not public API).
#pragma once

#include <eosmetrics/eosmetrics.h>

#include <memory>

#include "timer_state.hpp"

namespace emtr {

// A timer object for `state`; a null state makes a timer that does nothing (metrics
// disabled).
EmtrAggregateTimer* new_aggregate_timer(std::shared_ptr<TimerState> state);

}  // namespace emtr

extern "C" {
// The original library exported this internal constructor (its symbols.map exports every
// emtr_* name), with no public declaration; it is exported here too, for programs that
// linked it. Starts a timer for the caller's uid through the default recorder:
// `event_id` is the 16 bytes ("ay"), `aggregate_key` is ignored (the recorder has none),
// and so is `dbus_proxy` (the library's own connection carries the call).
EmtrAggregateTimer* emtr_aggregate_timer_new(gpointer dbus_proxy, GVariant* event_id,
                                             GVariant* aggregate_key, gboolean has_payload,
                                             GVariant* auxiliary_payload);
}
