// SPDX-License-Identifier: GPL-2.0-or-later
// The system services the daemon follows or reads from, by their well-known names.
#pragma once

namespace metrics::instrumentation::bus_names {

// The event recorder, whose restarts end our timers (libmetrics does the recording).
inline constexpr const char* kRecorder = "com.endlessm.Metrics";

inline constexpr const char* kSystemd = "org.freedesktop.systemd1";
inline constexpr const char* kSystemdPath = "/org/freedesktop/systemd1";
inline constexpr const char* kSystemdManager = "org.freedesktop.systemd1.Manager";

inline constexpr const char* kLogin = "org.freedesktop.login1";
inline constexpr const char* kLoginPath = "/org/freedesktop/login1";
inline constexpr const char* kLoginManager = "org.freedesktop.login1.Manager";

inline constexpr const char* kHostname = "org.freedesktop.hostname1";
inline constexpr const char* kHostnamePath = "/org/freedesktop/hostname1";

inline constexpr const char* kLocale = "org.freedesktop.locale1";
inline constexpr const char* kLocalePath = "/org/freedesktop/locale1";

}  // namespace metrics::instrumentation::bus_names
