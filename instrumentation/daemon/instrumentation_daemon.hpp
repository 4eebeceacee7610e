// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon as a whole: reads its configuration, connects to the system bus (without
// blocking the main loop), starts the enabled collectors and tells systemd it is ready.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>

#include "daemon_options.hpp"
#include "daily_runner.hpp"
#include "daily_sources.hpp"
#include "glib_handles.hpp"
#include "instrumentation_config.hpp"
#include "metrics_sink.hpp"
#include "schedule_store.hpp"
#include "session_timers.hpp"
#include "source_tree.hpp"
#include "startup_watch.hpp"

namespace metrics::instrumentation {

class InstrumentationDaemon {
 public:
  // `fatal` is called (once) when the daemon cannot go on, with the exit status.
  InstrumentationDaemon(DaemonOptions options, std::function<void(int status)> fatal);
  ~InstrumentationDaemon();
  InstrumentationDaemon(const InstrumentationDaemon&) = delete;
  InstrumentationDaemon& operator=(const InstrumentationDaemon&) = delete;

  void start();
  // Before exiting: stop the session timers first, so the recorder counts their time.
  void shut_down();

 private:
  static void on_bus_ready(GObject*, GAsyncResult* result, gpointer self);
  static void on_bus_closed(GDBusConnection*, gboolean remote_peer_vanished, GError* error,
                            gpointer self);
  void connected(GDBusConnection* bus);

  DaemonOptions options_;
  std::function<void(int)> fatal_;
  InstrumentationConfig config_;
  SourceTree tree_;
  ScheduleStore schedule_;
  MetricsSink sink_;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  GObjectPtr<GDBusConnection> bus_;
  SignalConnection bus_closed_;
  std::unique_ptr<StartupWatch> startup_;
  std::unique_ptr<SessionTimers> sessions_;
  std::unique_ptr<DailySourceGatherer> gatherer_;
  std::unique_ptr<DailyRunner> daily_;
};

}  // namespace metrics::instrumentation
