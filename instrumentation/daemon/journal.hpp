// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's log: structured journal entries when systemd connected stderr to the
// journal, one plain line per message on stderr otherwise (tests, a terminal).
//
// Entries about one collector carry METRICS_COLLECTOR=<config key>, so an administrator
// can ask `journalctl -u eos-metrics-instrumentation METRICS_COLLECTOR=hardware-info`
// why a field says "unknown".
#pragma once

#include <syslog.h>

#include <string_view>

namespace metrics::instrumentation::journal {

// MESSAGE_IDs of the entries an administrator may want to find.
inline constexpr std::string_view kEventRecorded = "3e30bf0230884664bced490a98d498f6";
inline constexpr std::string_view kFallbackUsed = "32a88c56b33849b6917f4e31411caad6";
inline constexpr std::string_view kConfigProblem = "ecf3d339fefd4a21b3b35fafce274671";
inline constexpr std::string_view kScheduleProblem = "6af2e82dba244dd999d3718990e06dd1";

struct Fields {
  std::string_view collector;   // config key of the collector the entry is about, or ""
  std::string_view message_id;  // one of the ids above, or ""
};

// SYSLOG_IDENTIFIER and the prefix of plain lines; "eos-metrics-instrumentation" unless
// set (once, at start).
void set_identifier(std::string_view name);

// `priority` is a syslog level (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG).
void write(int priority, std::string_view message, Fields fields = {});

inline void error(std::string_view message, Fields fields = {}) {
  write(LOG_ERR, message, fields);
}
inline void warning(std::string_view message, Fields fields = {}) {
  write(LOG_WARNING, message, fields);
}
inline void info(std::string_view message, Fields fields = {}) {
  write(LOG_INFO, message, fields);
}

}  // namespace metrics::instrumentation::journal
