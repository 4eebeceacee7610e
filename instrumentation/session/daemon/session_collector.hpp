// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-session-collector as a whole: reads its switches and the registry's lists,
// connects to the session bus (the systemd user manager) and the system bus (the
// recorder's consent) without blocking the main loop, starts the enabled collectors
// while consent allows, and tells systemd it is ready.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>

#include "consent_watch.hpp"
#include "glib_handles.hpp"
#include "ide_usage.hpp"
#include "schedule_store.hpp"
#include "session_config.hpp"
#include "session_options.hpp"
#include "session_registry.hpp"
#include "session_sink.hpp"
#include "signal_subscription.hpp"
#include "source_tree.hpp"
#include "toolbx_daily.hpp"

namespace metrics::instrumentation::session {

class SessionCollectorDaemon {
 public:
  // `fatal` is called (once) when the collector cannot go on, with the exit status.
  SessionCollectorDaemon(SessionOptions options, std::function<void(int status)> fatal);
  ~SessionCollectorDaemon();
  SessionCollectorDaemon(const SessionCollectorDaemon&) = delete;
  SessionCollectorDaemon& operator=(const SessionCollectorDaemon&) = delete;

  void start();
  // Before exiting: stop the IDE timers first, so the recorder counts their time.
  void shut_down();

 private:
  static void on_session_bus(GObject*, GAsyncResult* result, gpointer self);
  static void on_system_bus(GObject*, GAsyncResult* result, gpointer self);
  static void on_bus_closed(GDBusConnection*, gboolean, GError* error, gpointer self);
  void bus_ready(GBusType type, GAsyncResult* result);
  void both_connected();
  void consent_changed(bool allowed);

  SessionOptions options_;
  std::function<void(int)> fatal_;
  SessionConfig config_;
  SourceTree tree_;
  std::unique_ptr<ScheduleStore> schedule_;
  SessionSink sink_;
  std::optional<ValueSet> applications_;   // IDE usage runs with these
  std::optional<ValueSet> distributions_;  // the Toolbx event runs with these
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  GObjectPtr<GDBusConnection> session_bus_;
  GObjectPtr<GDBusConnection> system_bus_;
  SignalConnection session_closed_;
  SignalConnection system_closed_;
  std::unique_ptr<IdeUsage> ide_;
  std::unique_ptr<ToolbxDaily> toolbx_;
  std::unique_ptr<ConsentWatch> consent_;
  bool ready_ = false;
};

}  // namespace metrics::instrumentation::session
