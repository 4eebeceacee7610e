// SPDX-License-Identifier: GPL-2.0-or-later
// Where the daemon's events go: libmetrics, like any application, so consent, the
// registry check and the queue are the recorder's, and this daemon holds no data.
// The only file that talks to libmetrics; event ids come from the catalog.
#pragma once

#include <eosmetrics/eosmetrics.h>

#include <cstdint>

#include "catalog.hpp"
#include "glib_handles.hpp"

namespace metrics::instrumentation {

// A running session-time timer of one user; stopped (its time handed to the recorder)
// when this goes away.
class SessionTimer {
 public:
  SessionTimer() = default;
  explicit SessionTimer(EmtrAggregateTimer* timer) : timer_(timer) {}
  SessionTimer(SessionTimer&&) noexcept = default;
  SessionTimer& operator=(SessionTimer&& other) noexcept;
  ~SessionTimer() { stop(); }

  bool running() const { return timer_ != nullptr; }
  void stop();

 private:
  GObjectPtr<EmtrAggregateTimer> timer_;
};

class MetricsSink {
 public:
  MetricsSink();

  // A singular event of the collector's catalog UUID; `payload` is not consumed.
  void record(CollectorId collector, GVariant* payload);
  // The daily session-time timer for `uid` (the recorder accepts another uid from root
  // and from its service user, which this daemon runs as).
  SessionTimer start_session_timer(uint32_t uid);

 private:
  EmtrEventRecorder* recorder_;  // libmetrics' default recorder, kept for the process
};

}  // namespace metrics::instrumentation
