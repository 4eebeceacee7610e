// SPDX-License-Identifier: GPL-2.0-or-later
#include "instrumentation_daemon.hpp"

#include <systemd/sd-daemon.h>

#include <string>

#include "boot_id.hpp"
#include "journal.hpp"

namespace metrics::instrumentation {

namespace {

std::string enabled_list(const InstrumentationConfig& config) {
  std::string out;
  for (const auto& entry : kCatalog)
    if (config.is_enabled(entry.id))
      out += (out.empty() ? "" : ", ") + std::string(entry.config_key);
  return out.empty() ? "none" : out;
}

}  // namespace

InstrumentationDaemon::InstrumentationDaemon(DaemonOptions options,
                                             std::function<void(int status)> fatal)
    : options_(std::move(options)),
      fatal_(std::move(fatal)),
      config_(read_instrumentation_config(options_.paths.config_file)),
      tree_(options_.paths.source_root),
      schedule_(options_.paths.schedule_file()) {
  for (const auto& warning : config_.warnings)
    journal::warning(warning, {{}, journal::kConfigProblem});
}

InstrumentationDaemon::~InstrumentationDaemon() {
  g_cancellable_cancel(cancellable_.get());
  // Users of the bus go before it.
  daily_.reset();
  gatherer_.reset();
  sessions_.reset();
  startup_.reset();
  bus_closed_ = SignalConnection();
}

void InstrumentationDaemon::start() {
  journal::info("collectors: " + enabled_list(config_) + "; schedule in " +
                schedule_.file().string());
  g_bus_get(G_BUS_TYPE_SYSTEM, cancellable_.get(), &InstrumentationDaemon::on_bus_ready, this);
}

void InstrumentationDaemon::on_bus_ready(GObject*, GAsyncResult* result, gpointer self) {
  GErrorOut err;
  GObjectPtr<GDBusConnection> bus(g_bus_get_finish(result, err.out()));
  if (g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  auto* daemon = static_cast<InstrumentationDaemon*>(self);
  if (!bus) {
    journal::error("cannot connect to the system bus: " + err.message());
    daemon->fatal_(1);
    return;
  }
  daemon->connected(bus.get());
}

void InstrumentationDaemon::on_bus_closed(GDBusConnection*, gboolean, GError* error,
                                          gpointer self) {
  journal::error(std::string("lost the system bus") +
                 (error ? std::string(": ") + error->message : "") + "; exiting");
  static_cast<InstrumentationDaemon*>(self)->fatal_(1);
}

void InstrumentationDaemon::connected(GDBusConnection* bus) {
  bus_ = share_object(bus);
  // The shared connection would otherwise end the process on its own when the bus goes.
  g_dbus_connection_set_exit_on_close(bus, FALSE);
  bus_closed_ =
      SignalConnection(bus, "closed", G_CALLBACK(&InstrumentationDaemon::on_bus_closed), this);

  const std::string boot_id = read_boot_id(tree_);
  if (config_.is_enabled(CollectorId::StartupFinished)) {
    startup_ = std::make_unique<StartupWatch>(bus, schedule_, sink_, boot_id);
    startup_->start();
  }
  if (config_.is_enabled(CollectorId::SessionTime)) {
    sessions_ = std::make_unique<SessionTimers>(bus, sink_);
    sessions_->start();
  }
  gatherer_ = std::make_unique<DailySourceGatherer>(bus, tree_, options_.paths);
  daily_ = std::make_unique<DailyRunner>(config_, tree_, schedule_, *gatherer_, sink_);
  daily_->start();

  sd_notify(0, "READY=1\nSTATUS=Collecting the approved system metrics");
  journal::info("ready");
}

void InstrumentationDaemon::shut_down() {
  if (sessions_) sessions_->stop_all();
}

}  // namespace metrics::instrumentation
