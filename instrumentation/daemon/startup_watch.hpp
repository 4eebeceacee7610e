// SPDX-License-Identifier: GPL-2.0-or-later
// Startup finished: the boot's timing, once per boot, from systemd.
//
// systemd emits StartupFinished once, when boot completes (to subscribers only, hence
// Subscribe). A daemon started after that reads the same numbers from the Manager's
// timestamp properties instead, so a late or restarted daemon does not skip the boot;
// the boot id kept in the schedule stops a restart from recording it twice.
#pragma once

#include <gio/gio.h>

#include <memory>
#include <string>

#include "bus_call.hpp"
#include "collectors/startup_finished.hpp"
#include "glib_handles.hpp"
#include "metrics_sink.hpp"
#include "schedule_store.hpp"
#include "signal_subscription.hpp"

namespace metrics::instrumentation {

class StartupWatch {
 public:
  StartupWatch(GDBusConnection* bus, ScheduleStore& schedule, MetricsSink& sink,
               std::string boot_id);
  ~StartupWatch();
  StartupWatch(const StartupWatch&) = delete;
  StartupWatch& operator=(const StartupWatch&) = delete;

  void start();

 private:
  void on_manager_properties(Result<PropertyMap> properties);
  void record(const StartupTimes& times, const char* source);

  GDBusConnection* bus_;
  ScheduleStore& schedule_;
  MetricsSink& sink_;
  std::string boot_id_;
  bool recorded_ = false;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  std::unique_ptr<SignalSubscription> startup_finished_;
};

}  // namespace metrics::instrumentation
