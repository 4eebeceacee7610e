// SPDX-License-Identifier: GPL-2.0-or-later
// Client-side coarsening of event times before upload (config-and-consent.md, privacy).
//
// The server computes an event's wall-clock time as
//     request_absolute - request_relative + event_relative        (all ns)
// so the client cannot hide an event's time by rounding its relative timestamp alone:
// what matters is the time the server computes. coarsen_relative_ns() picks the event
// relative timestamp to send so that this computed time is the event's wall-clock time
// floored to a multiple of the granularity (ns since the epoch), and never later than
// the request's absolute time (no event from the future, also when the stored relative
// timestamp lies after the request's, e.g. after a wall-clock correction).
//
// Why the default is one hour (RecorderSettings::timestamp_granularity_seconds = 3600):
// with exact times, a server can link events by their exact offset from a common origin
// (the "two events exactly 300 s after boot" attack: the same machine's boot-time events
// share one boot instant, so exact differences identify it). Flooring to the hour maps
// every event of a boot to the same handful of hour marks, shared with every other
// machine that produced an event in that hour, so an exact offset from boot is no longer
// observable; the hour still keeps daily and hour-of-day analysis possible.
#pragma once

#include <cstdint>

namespace metrics {

inline constexpr int64_t kDefaultTimestampGranularitySeconds = 3600;
inline constexpr int64_t kMaxTimestampGranularitySeconds = 86400;

// The event time the server computes (its formula, saturated to the int64 range).
int64_t server_event_time_ns(int64_t request_absolute_ns, int64_t request_relative_ns,
                             int64_t event_relative_ns);

// The event relative timestamp to send with a request stamped (request_absolute_ns,
// request_relative_ns), for an event whose relative timestamp on the same time-line is
// `event_relative_ns`. With T = request_absolute - request_relative + event_relative the
// server then computes floor(min(T, request_absolute) / G) * G, G = granularity_ns
// (values < 1 are taken as 1: no rounding, only the no-future clamp). Pure, and
// idempotent: feeding the result back in returns it unchanged.
int64_t coarsen_relative_ns(int64_t request_absolute_ns, int64_t request_relative_ns,
                            int64_t event_relative_ns, int64_t granularity_ns);

}  // namespace metrics
