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
