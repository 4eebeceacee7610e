// SPDX-License-Identifier: GPL-2.0-or-later
// Logging: structured journal entries when running under systemd, plain lines on
// stderr otherwise (tests, a developer's terminal).
#pragma once

#include <syslog.h>

#include <string>

namespace metrics::bus {

// MESSAGE_IDs of entries an administrator may want to find (journalctl MESSAGE_ID=...).
inline constexpr const char* kMsgConsentChanged = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c01";
inline constexpr const char* kMsgConfigInvalid = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c02";
inline constexpr const char* kMsgStoreRecovered = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c03";
inline constexpr const char* kMsgQueueFull = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c04";
inline constexpr const char* kMsgPurged = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c05";
// The metric registry was loaded or reloaded (one summary line), a problem in one of its
// files (one line each), and an event refused or stored against it (rate-limited).
inline constexpr const char* kMsgRegistryLoaded = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c06";
inline constexpr const char* kMsgRegistryProblem = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c07";
inline constexpr const char* kMsgRegistryEvent = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c08";
// The store cannot be opened (permissions, a lock, I/O, a full disk); retried until it can.
inline constexpr const char* kMsgStoreUnavailable = "3e1b6f1c9a2d4f0e8c5b7a6d2f4e9c31";

void log(int priority, const std::string& message, const char* message_id = nullptr);

}  // namespace metrics::bus
