// SPDX-License-Identifier: GPL-2.0-or-later
// The event recorder's interface as the benchmark programs see it: the load generator
// and the no-op service agree on it through this one header.
#pragma once

#include "sdbus_handles.hpp"

namespace bench {

using metrics::bus::BusPtr;
using metrics::bus::EventPtr;
using metrics::bus::EventSourcePtr;
using metrics::bus::MessagePtr;
using metrics::bus::SlotPtr;

inline constexpr const char* kDefaultName = "com.endlessm.Metrics";
inline constexpr const char* kObjectPath = "/com/endlessm/Metrics";
inline constexpr const char* kInterface = "com.endlessm.Metrics.EventRecorderServer";
inline constexpr const char* kMethod = "RecordSingularEvent";
inline constexpr const char* kSignature = "uayxbv";

}  // namespace bench
