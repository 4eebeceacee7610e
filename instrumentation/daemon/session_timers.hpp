// SPDX-License-Identifier: GPL-2.0-or-later
// Daily session time: a libmetrics timer for every human user logind lists, from
// ListUsers (at start, and whenever logind comes back) and UserNew/UserRemoved.
// SessionTracker (core) decides; this turns its decisions into timers.
//
// A recorder that restarts (an update) saves the time of its timers and forgets them;
// the timers of users still logged in are then started again on the new instance.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <map>
#include <memory>

#include "collectors/session_time.hpp"
#include "glib_handles.hpp"
#include "metrics_sink.hpp"
#include "name_watch.hpp"
#include "signal_subscription.hpp"

namespace metrics::instrumentation {

// A failed ListUsers (logind busy, or not serving yet though it owns its name) is
// tried again after 1, 2, 4 and 8 s; users logged in before us would otherwise go
// untimed until their next login.
inline constexpr int kListUsersAttempts = 5;

class SessionTimers {
 public:
  SessionTimers(GDBusConnection* bus, MetricsSink& sink);
  ~SessionTimers();
  SessionTimers(const SessionTimers&) = delete;
  SessionTimers& operator=(const SessionTimers&) = delete;

  void start();
  // Shutdown: every timer stops now, so the recorder counts the time up to here.
  void stop_all();

 private:
  struct Running {
    SessionTimer timer;
    uint64_t recorder_instance = 0;  // which recorder instance it was started for
  };

  void list_users();
  void retry_list_users();
  void apply(const std::vector<SessionAction>& actions);
  void recorder_appeared();
  void recorder_vanished();

  GDBusConnection* bus_;
  MetricsSink& sink_;
  SessionTracker tracker_;
  std::map<uint32_t, Running> timers_;
  int list_attempts_ = 0;
  GSourcePtr list_retry_;
  // Counts recorder instances that were seen and then left. A timer started while the
  // recorder was away waits in libmetrics for the next instance: not started again.
  uint64_t recorder_instance_ = 0;
  bool recorder_seen_ = false;
  bool recorder_gone_ = false;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  std::unique_ptr<SignalSubscription> user_new_;
  std::unique_ptr<SignalSubscription> user_removed_;
  std::unique_ptr<NameWatch> login1_;
  std::unique_ptr<NameWatch> recorder_;
};

}  // namespace metrics::instrumentation
