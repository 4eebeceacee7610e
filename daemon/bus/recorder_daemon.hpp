// SPDX-License-Identifier: GPL-2.0-or-later
// The eos-metrics-event-recorder daemon as one object: the store and its keeper, the
// recorder, the registry watch, the bus connection, the upload scheduler and the two bus
// services, plus the main-loop sources that drive them (the bus, the daily roll-over at
// local midnight, SIGTERM and SIGINT). Everything it starts is owned here and goes when
// it does.
#pragma once

#include <memory>

#include "bus_source.hpp"
#include "clock.hpp"
#include "control_service.hpp"
#include "file_watch.hpp"
#include "glib_handles.hpp"
#include "ledger.hpp"
#include "paths.hpp"
#include "recorder.hpp"
#include "recorder_service.hpp"
#include "registry_watch.hpp"
#include "result.hpp"
#include "sdbus_handles.hpp"
#include "store.hpp"
#include "store_keeper.hpp"
#include "sync_timer.hpp"
#include "upload_scheduler.hpp"

namespace metrics::bus {

class RecorderDaemon {
 public:
  // `clock` is the recorder's time-line and wall clock, and the midnight timer's.
  RecorderDaemon(Paths paths, const Clock& clock);
  ~RecorderDaemon();
  RecorderDaemon(const RecorderDaemon&) = delete;
  RecorderDaemon& operator=(const RecorderDaemon&) = delete;

  // Opens the store (an unavailable one is retried, never fatal), connects to the system
  // bus, exports the services, owns the name, arms its sources and tells systemd it is
  // ready. An error says why the daemon cannot run.
  Result<void> start();
  // Runs the main loop until SIGTERM, SIGINT or the loss of the bus connection.
  void run();
  // Saves the time of running timers and flushes the bus. The exit status: 1 when the bus
  // connection was lost, 0 otherwise.
  int stop();

 private:
  static gboolean on_quit_signal(gpointer self);
  static gboolean on_midnight(gpointer self);
  // One wake-up a day: counts running timers into the day that ends, rolls periods over.
  void schedule_midnight();
  GSourcePtr quit_on_signal(int signum);

  Paths paths_;
  const Clock& clock_;
  // In the order they are built; destroyed in reverse, sources first.
  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreKeeper> keeper_;
  RecorderOptions options_;
  std::unique_ptr<SyncTimer> sync_timer_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<RegistryWatch> registry_watch_;
  BusPtr bus_;
  GMainLoopPtr loop_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<net::UploadScheduler> uploads_;
  std::unique_ptr<FileWatch> recorder_conf_watch_;
  std::unique_ptr<RecorderService> service_;
  std::unique_ptr<ControlService> control_;
  // Set once the services run: an opening of the store after that is a late one.
  bool service_started_ = false;
  std::unique_ptr<BusSource> bus_source_;
  GSourcePtr midnight_;
  GSourcePtr sigterm_;
  GSourcePtr sigint_;
};

}  // namespace metrics::bus
