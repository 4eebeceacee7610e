// SPDX-License-Identifier: GPL-2.0-or-later
#include "recorder_daemon.hpp"

#include <glib-unix.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "boot_flags.hpp"
#include "kernel_boot_id.hpp"
#include "log.hpp"

namespace metrics::bus {

namespace {}  // namespace

RecorderDaemon::RecorderDaemon(Paths paths, const Clock& clock)
    : paths_(std::move(paths)), clock_(clock) {}

RecorderDaemon::~RecorderDaemon() = default;

Result<void> RecorderDaemon::start() {
  // Never fatal: a store that cannot be opened now is retried by the keeper while the
  // recorder answers on the bus (record calls fail with StorageFailure meanwhile).
  store_ = Store::open_or_unavailable(paths_.state_dir);
  keeper_ = std::make_unique<StoreKeeper>(*store_);

  options_.service_uid = static_cast<uint32_t>(geteuid());
  const auto cache = config::read_cache_size(paths_.cache_size_file());
  if (!cache.warning.empty()) log(LOG_WARNING, cache.warning);
  options_.max_bytes = cache.maximum;
  options_.settings = config::read_recorder_settings(paths_.recorder_settings_file());
  for (const auto& w : options_.settings.warnings) log(LOG_WARNING, w);
  sync_timer_ = std::make_unique<SyncTimer>(*store_, options_.settings.sync_interval_milliseconds,
                                            [this](const std::string& what, const Error& error) {
                                              keeper_->storage_failed(what, error);
                                            });
  options_.os_version = config::read_os_version(paths_.os_release);
  // Unknown, every boot is the same one to the time-line's anchor: it then continues the
  // stored time-line rather than starting a new one at each start.
  options_.boot_id = read_boot_id(paths_.boot_id_file).value_or("unknown");

  recorder_ = std::make_unique<Recorder>(clock_, *store_, options_);
  keeper_->on_opened = [this]() -> Result<void> {
    // The time-line anchor, timer ids and roll-over come from the store: (re)started
    // each time it opens.
    if (auto r = recorder_->start(); !r)
      return Error{r.error().code, "cannot start recording: " + r.error().message};
    if (service_started_) service_->store_opened();
    return Ok();
  };
  keeper_->start();
  // Before the name is owned: no event is recorded without the registry's verdict.
  const std::filesystem::path registry_dir =
      options_.settings.registry_directory.empty()
          ? registry::default_directory()
          : std::filesystem::path(options_.settings.registry_directory);
  registry_watch_ = std::make_unique<RegistryWatch>(
      recorder_->registry_gate(), registry_dir,
      registry::parse_mode(options_.settings.registry_mode).value_or(registry::Mode::Enforce));

  sd_bus* raw_bus = nullptr;
  if (int r = sd_bus_open_system(&raw_bus); r < 0)
    return Error{ErrorCode::kBusFailure,
                 std::string("cannot connect to the system bus: ") + g_strerror(-r)};
  bus_.reset(raw_bus);

  loop_.reset(g_main_loop_new(nullptr, FALSE));
  ledger_ = std::make_unique<Ledger>(*store_);
  BatchContext context;
  auto labels = config::read_site_labels(paths_.location_file());
  for (const auto& w : labels.warnings) log(LOG_WARNING, w, kMsgConfigInvalid);
  context.site_labels = std::move(labels.labels);
  context.boot_flags = read_boot_flags(paths_.kernel_cmdline);
  if (context.boot_flags & kBootFlagLiveBoot)
    log(LOG_INFO, "running from live media: uploads say so (boot flags)");
  uploads_ = std::make_unique<net::UploadScheduler>(
      *recorder_, *ledger_, options_.settings, context, upload::seeded_rng(std::random_device{}()));
  // Where bytes go is read again before each upload: a fixed ProxyUrl needs no restart.
  uploads_->set_settings_source(
      [file = paths_.recorder_settings_file()] { return config::read_recorder_settings(file); });
  recorder_conf_watch_ = std::make_unique<FileWatch>(paths_.recorder_settings_file(),
                                                     [this] { uploads_->settings_changed(); });
  service_ = std::make_unique<RecorderService>(bus_.get(), *recorder_, *uploads_, paths_,
                                               METRICS_DEFAULT_SERVER_URL);
  control_ =
      std::make_unique<ControlService>(bus_.get(), *service_, *recorder_, *uploads_, *ledger_);
  uploads_->on_log = [](int priority, const std::string& message) { log(priority, message); };
  uploads_->on_status_changed = [this] { control_->emit_upload_status_changed(); };
  uploads_->on_progress = [this](const net::SessionProgress& p) { control_->emit_progress(p); };
  service_->on_consent_changed = [this] { control_->emit_consent_changed(); };
  service_->on_storage_failure = [this](const std::string& what, const Error& error) {
    keeper_->storage_failed(what, error);
  };
  keeper_->on_state_changed = [this] { control_->emit_store_changed(); };
  if (auto r = control_->start(); !r) return r;
  if (auto r = service_->start(); !r) return r;
  service_started_ = true;
  bus_source_ =
      std::make_unique<BusSource>(bus_.get(), nullptr, [this] { service_->after_batch(); });
  bus_source_->set_on_disconnect([this] {
    log(LOG_ERR, "lost the connection to the system bus; exiting");
    g_main_loop_quit(loop_.get());
  });
  if (int r = sd_bus_request_name(bus_.get(), kBusName, 0); r < 0)
    return Error{ErrorCode::kBusFailure,
                 std::string("cannot own ") + kBusName + ": " + g_strerror(-r)};

  schedule_midnight();
  sigterm_ = quit_on_signal(SIGTERM);
  sigint_ = quit_on_signal(SIGINT);
  // An upload helper that died makes writing to its pipe fail with EPIPE, not kill us.
  signal(SIGPIPE, SIG_IGN);
  sd_notify(0, "READY=1\nSTATUS=Recording metrics");
  log(LOG_INFO, "ready; state in " + paths_.state_dir.string());
  return Ok();
}

void RecorderDaemon::run() {
  g_main_loop_run(loop_.get());
}

int RecorderDaemon::stop() {
  sd_notify(0, "STOPPING=1");
  // A clean stop keeps the time of running timers.
  if (auto r = recorder_->shutdown(); !r) log(LOG_ERR, "cannot save timers: " + r.error().message);
  service_->after_batch();
  // A clean stop leaves nothing unsynced: what was acknowledged survives a power loss.
  sync_timer_->sync_now("at stop");
  sd_bus_flush(bus_.get());
  return bus_source_->disconnected() ? 1 : 0;
}

GSourcePtr RecorderDaemon::quit_on_signal(int signum) {
  GSourcePtr source(g_unix_signal_source_new(signum));
  g_source_set_callback(source.get(), &RecorderDaemon::on_quit_signal, this, nullptr);
  g_source_attach(source.get(), nullptr);
  return source;
}

gboolean RecorderDaemon::on_quit_signal(gpointer p) {
  auto* self = static_cast<RecorderDaemon*>(p);
  g_main_loop_quit(self->loop_.get());
  // Handled once: dropping the last reference to the source gives the signal its
  // default action again, so a second one while stopping ends the process.
  GSource* current = g_main_current_source();
  if (self->sigterm_.get() == current) self->sigterm_.reset();
  if (self->sigint_.get() == current) self->sigint_.reset();
  return G_SOURCE_REMOVE;
}

void RecorderDaemon::schedule_midnight() {
  const int64_t wait_s = std::max<int64_t>(
      1, (recorder_->next_midnight_ns() - clock_.realtime_ns()) / 1'000'000'000 + 1);
  // At most a day and an hour, so that a step of the wall clock is noticed within a day.
  midnight_.reset(
      g_timeout_source_new_seconds(static_cast<guint>(std::min<int64_t>(wait_s, 86400 + 3600))));
  g_source_set_callback(midnight_.get(), &RecorderDaemon::on_midnight, this, nullptr);
  g_source_attach(midnight_.get(), nullptr);
}

gboolean RecorderDaemon::on_midnight(gpointer p) {
  auto* self = static_cast<RecorderDaemon*>(p);
  if (auto r = self->recorder_->roll_over_if_due(); !r)
    self->keeper_->storage_failed("period roll-over failed", r.error());
  self->service_->after_batch();
  // Replaces the source being dispatched: GLib holds it until this returns.
  self->schedule_midnight();
  return G_SOURCE_REMOVE;
}

}  // namespace metrics::bus
