// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_collector.hpp"

#include <systemd/sd-daemon.h>

#include <string>

#include "journal.hpp"

namespace metrics::instrumentation::session {

namespace {

std::string enabled_list(const SessionConfig& config) {
  std::string out;
  for (const auto& entry : kSessionCatalog)
    if (config.is_enabled(entry.id))
      out += (out.empty() ? "" : ", ") + std::string(entry.config_key);
  return out.empty() ? "none" : out;
}

// The registry's list for an enabled collector; nullopt (with the reason in the journal)
// when the collector cannot run.
std::optional<ValueSet> values_for(const SessionConfig& config, const registry::Registry& registry,
                                   SessionCollector id) {
  if (!config.is_enabled(id)) return std::nullopt;
  auto values = registered_values(registry, id);
  if (!values) {
    journal::warning(
        values.error().message + "; " + std::string(session_entry(id).config_key) + " does not run",
        {session_entry(id).config_key, journal::kConfigProblem});
    return std::nullopt;
  }
  return std::move(*values);
}

}  // namespace

SessionCollectorDaemon::SessionCollectorDaemon(SessionOptions options,
                                               std::function<void(int status)> fatal)
    : options_(std::move(options)),
      fatal_(std::move(fatal)),
      config_(read_session_config(options_.system_config, options_.user_config)),
      tree_(options_.source_root) {
  for (const auto& warning : config_.warnings)
    journal::warning(warning, {{}, journal::kConfigProblem});
  const registry::Registry registry = registry::Registry::load(options_.registry_dir);
  applications_ = values_for(config_, registry, SessionCollector::IdeUsage);
  distributions_ = values_for(config_, registry, SessionCollector::ToolbxImages);
  if (distributions_) schedule_ = std::make_unique<ScheduleStore>(options_.schedule_file());
}

SessionCollectorDaemon::~SessionCollectorDaemon() {
  g_cancellable_cancel(cancellable_.get());
  // Users of the buses go before them.
  consent_.reset();
  toolbx_.reset();
  ide_.reset();
  session_closed_ = SignalConnection();
  system_closed_ = SignalConnection();
}

void SessionCollectorDaemon::start() {
  journal::info("collectors: " + enabled_list(config_) + "; registry " +
                options_.registry_dir.string() +
                (schedule_ ? "; schedule in " + schedule_->file().string() : ""));
  g_bus_get(G_BUS_TYPE_SESSION, cancellable_.get(), &SessionCollectorDaemon::on_session_bus, this);
  g_bus_get(G_BUS_TYPE_SYSTEM, cancellable_.get(), &SessionCollectorDaemon::on_system_bus, this);
}

void SessionCollectorDaemon::on_session_bus(GObject*, GAsyncResult* result, gpointer self) {
  static_cast<SessionCollectorDaemon*>(self)->bus_ready(G_BUS_TYPE_SESSION, result);
}

void SessionCollectorDaemon::on_system_bus(GObject*, GAsyncResult* result, gpointer self) {
  static_cast<SessionCollectorDaemon*>(self)->bus_ready(G_BUS_TYPE_SYSTEM, result);
}

void SessionCollectorDaemon::bus_ready(GBusType type, GAsyncResult* result) {
  GErrorOut err;
  GObjectPtr<GDBusConnection> bus(g_bus_get_finish(result, err.out()));
  if (g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  const bool session = type == G_BUS_TYPE_SESSION;
  if (!bus) {
    journal::error(std::string("cannot connect to the ") + (session ? "session" : "system") +
                   " bus: " + err.message());
    fatal_(1);
    return;
  }
  // The shared connection would otherwise end the process on its own when the bus goes.
  g_dbus_connection_set_exit_on_close(bus.get(), FALSE);
  SignalConnection closed(bus.get(), "closed", G_CALLBACK(&SessionCollectorDaemon::on_bus_closed),
                          this);
  if (session) {
    session_bus_ = std::move(bus);
    session_closed_ = std::move(closed);
  } else {
    system_bus_ = std::move(bus);
    system_closed_ = std::move(closed);
  }
  if (session_bus_ && system_bus_) both_connected();
}

void SessionCollectorDaemon::on_bus_closed(GDBusConnection*, gboolean, GError* error,
                                           gpointer self) {
  // The session bus goes with the session; either way there is nothing left to do.
  journal::error(std::string("lost a bus") + (error ? std::string(": ") + error->message : "") +
                 "; exiting");
  static_cast<SessionCollectorDaemon*>(self)->fatal_(1);
}

void SessionCollectorDaemon::both_connected() {
  if (applications_)
    ide_ = std::make_unique<IdeUsage>(session_bus_.get(), system_bus_.get(), sink_,
                                      std::move(*applications_));
  if (distributions_)
    toolbx_ = std::make_unique<ToolbxDaily>(options_, tree_, *schedule_, sink_,
                                            std::move(*distributions_));
  consent_ = std::make_unique<ConsentWatch>(system_bus_.get(),
                                            [this](bool allowed) { consent_changed(allowed); });
  consent_->start();
}

void SessionCollectorDaemon::consent_changed(bool allowed) {
  if (ide_) ide_->set_active(allowed);
  if (toolbx_) toolbx_->set_active(allowed);
  if (ready_) return;
  // Ready once the collectors run as consent says (the first answer, or none).
  ready_ = true;
  sd_notify(0, "READY=1\nSTATUS=Collecting the approved metrics of this session");
  journal::info("ready");
}

void SessionCollectorDaemon::shut_down() {
  if (ide_) ide_->stop_all();
}

}  // namespace metrics::instrumentation::session
