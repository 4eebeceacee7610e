// SPDX-License-Identifier: LGPL-2.1-or-later
// Names of the recorder on the bus (dbus/com.endlessm.Metrics.xml).
#pragma once

namespace emtr {

inline constexpr const char* kBusName = "com.endlessm.Metrics";
inline constexpr const char* kObjectPath = "/com/endlessm/Metrics";
inline constexpr const char* kServerInterface = "com.endlessm.Metrics.EventRecorderServer";
inline constexpr const char* kTimerInterface = "com.endlessm.Metrics.AggregateTimer";

}  // namespace emtr
