// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-event-recorder: owns com.endlessm.Metrics on the system bus.
#include <glib-unix.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include <random>

#include "boot_flags.hpp"
#include "bus_source.hpp"
#include "control_service.hpp"
#include "file_watch.hpp"
#include "ledger.hpp"
#include "log.hpp"
#include "recorder_service.hpp"
#include "registry_watch.hpp"
#include "store_keeper.hpp"
#include "upload_scheduler.hpp"

using namespace metrics;
using namespace metrics::bus;

namespace {

std::string read_boot_id(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string id;
  std::getline(in, id);
  return id.empty() ? "unknown" : id;
}

struct Options {
  GCharPtr config_file;
  GCharPtr state_dir;
  GCharPtr config_dir;
  GCharPtr os_release;
  GCharPtr boot_id_file;
  GCharPtr kernel_cmdline;
};

bool parse_options(int& argc, char**& argv, Options& o) {
  gchar* config_file = nullptr;
  gchar* state_dir = nullptr;
  gchar* config_dir = nullptr;
  gchar* os_release = nullptr;
  gchar* boot_id_file = nullptr;
  gchar* kernel_cmdline = nullptr;
  const GOptionEntry entries[] = {
      {"config-file-path", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
       "Permissions file (default: <config-dir>/eos-metrics-permissions.conf)", "PATH"},
      {"persistent-cache-directory", 'p', 0, G_OPTION_ARG_FILENAME, &state_dir,
       "State directory (default: " METRICS_STATEDIR ")", "DIR"},
      {"config-dir", 0, 0, G_OPTION_ARG_FILENAME, &config_dir,
       "Configuration directory (default: " METRICS_SYSCONFDIR ")", "DIR"},
      {"os-release", 0, 0, G_OPTION_ARG_FILENAME, &os_release,
       "os-release file (default: /etc/os-release)", "PATH"},
      {"boot-id-file", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &boot_id_file,
       "Boot id source, for tests", "PATH"},
      {"kernel-cmdline", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &kernel_cmdline,
       "Kernel command line source (live boot), for tests", "PATH"},
      {},
  };
  std::unique_ptr<GOptionContext, decltype(&g_option_context_free)> ctx(
      g_option_context_new("- record usage metrics for com.endlessm.Metrics"),
      &g_option_context_free);
  g_option_context_add_main_entries(ctx.get(), entries, nullptr);
  GErrorOut error;
  const bool ok = g_option_context_parse(ctx.get(), &argc, &argv, error.out());
  o.config_file.reset(config_file);
  o.state_dir.reset(state_dir);
  o.config_dir.reset(config_dir);
  o.os_release.reset(os_release);
  o.boot_id_file.reset(boot_id_file);
  o.kernel_cmdline.reset(kernel_cmdline);
  if (!ok) {
    std::fprintf(stderr, "eos-metrics-event-recorder: %s\n", error.message().c_str());
    return false;
  }
  return true;
}

Paths make_paths(const Options& o) {
  Paths p;
  p.config_dir = o.config_dir ? o.config_dir.get() : METRICS_SYSCONFDIR;
  p.permissions_file = o.config_file ? std::filesystem::path(o.config_file.get())
                                     : p.config_dir / "eos-metrics-permissions.conf";
  p.state_dir = o.state_dir ? o.state_dir.get() : METRICS_STATEDIR;
  p.os_release = o.os_release ? std::filesystem::path(o.os_release.get())
                              : std::filesystem::path("/etc/os-release");
  if (!o.os_release && !std::filesystem::exists(p.os_release)) p.os_release = "/usr/lib/os-release";
  p.boot_id_file = o.boot_id_file ? o.boot_id_file.get() : "/proc/sys/kernel/random/boot_id";
  p.kernel_cmdline = o.kernel_cmdline ? o.kernel_cmdline.get() : "/proc/cmdline";
  return p;
}

gboolean on_quit_signal(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  const Paths paths = make_paths(options);

  // Never fatal: a store that cannot be opened now is retried by the keeper while the
  // recorder answers on the bus (record calls fail with StorageFailure meanwhile).
  std::unique_ptr<Store> store = Store::open_or_unavailable(paths.state_dir);
  StoreKeeper keeper(*store);

  RecorderOptions ropts;
  ropts.service_uid = static_cast<uint32_t>(geteuid());
  const auto cache = config::read_cache_size(paths.cache_size_file());
  if (!cache.warning.empty()) log(LOG_WARNING, cache.warning);
  ropts.max_bytes = cache.maximum;
  ropts.settings = config::read_recorder_settings(paths.recorder_settings_file());
  for (const auto& w : ropts.settings.warnings) log(LOG_WARNING, w);
  ropts.os_version = config::read_os_version(paths.os_release);
  ropts.boot_id = read_boot_id(paths.boot_id_file);

  SystemClock clock;
  Recorder recorder(clock, *store, ropts);
  // Set once the services run: an opening after that is a late one.
  RecorderService* late_service = nullptr;
  keeper.on_opened = [&recorder, &late_service]() -> Result<void> {
    // The time-line anchor, timer ids and roll-over come from the store: (re)started
    // each time it opens.
    if (auto r = recorder.start(); !r)
      return Error{r.error().code, "cannot start recording: " + r.error().message};
    if (late_service) late_service->store_opened();
    return Ok();
  };
  keeper.start();
  // Before the name is owned: no event is recorded without the registry's verdict.
  const std::filesystem::path registry_dir =
      ropts.settings.registry_directory.empty()
          ? registry::default_directory()
          : std::filesystem::path(ropts.settings.registry_directory);
  RegistryWatch registry_watch(
      recorder.registry_gate(), registry_dir,
      registry::parse_mode(ropts.settings.registry_mode).value_or(registry::Mode::Enforce));

  sd_bus* raw_bus = nullptr;
  if (int r = sd_bus_open_system(&raw_bus); r < 0) {
    log(LOG_ERR, std::string("cannot connect to the system bus: ") + std::strerror(-r));
    return 1;
  }
  BusPtr bus(raw_bus);

  GMainLoopPtr loop(g_main_loop_new(nullptr, FALSE));
  Ledger ledger(*store);
  BatchContext context;
  auto labels = config::read_site_labels(paths.location_file());
  for (const auto& w : labels.warnings) log(LOG_WARNING, w, kMsgConfigInvalid);
  context.site_labels = std::move(labels.labels);
  context.boot_flags = read_boot_flags(paths.kernel_cmdline);
  if (context.boot_flags & kBootFlagLiveBoot)
    log(LOG_INFO, "running from live media: uploads say so (boot flags)");
  net::UploadScheduler uploads(recorder, ledger, ropts.settings, context,
                               upload::seeded_rng(std::random_device{}()));
  // Where bytes go is read again before each upload: a fixed ProxyUrl needs no restart.
  uploads.set_settings_source(
      [file = paths.recorder_settings_file()] { return config::read_recorder_settings(file); });
  FileWatch recorder_conf_watch(paths.recorder_settings_file(),
                                [&uploads] { uploads.settings_changed(); });
  RecorderService service(bus.get(), recorder, uploads, paths, METRICS_DEFAULT_SERVER_URL);
  ControlService control(bus.get(), service, recorder, uploads, ledger);
  uploads.on_log = [](int priority, const std::string& message) { log(priority, message); };
  uploads.on_status_changed = [&control] { control.emit_upload_status_changed(); };
  uploads.on_progress = [&control](const net::SessionProgress& p) { control.emit_progress(p); };
  service.on_consent_changed = [&control] { control.emit_consent_changed(); };
  service.on_storage_failure = [&keeper](const std::string& what, const Error& error) {
    keeper.storage_failed(what, error);
  };
  keeper.on_state_changed = [&control] { control.emit_store_changed(); };
  if (auto r = control.start(); !r) {
    log(LOG_ERR, r.error().message);
    return 1;
  }
  if (auto r = service.start(); !r) {
    log(LOG_ERR, r.error().message);
    return 1;
  }
  late_service = &service;
  BusSource source(bus.get(), nullptr, [&service] { service.after_batch(); });
  source.set_on_disconnect([&loop] {
    log(LOG_ERR, "lost the connection to the system bus; exiting");
    g_main_loop_quit(loop.get());
  });
  if (int r = sd_bus_request_name(bus.get(), kBusName, 0); r < 0) {
    log(LOG_ERR, std::string("cannot own ") + kBusName + ": " + std::strerror(-r));
    return 1;
  }

  // One wake-up a day: count running timers into the day that ends, roll periods over.
  struct Midnight {
    Recorder* recorder;
    RecorderService* service;
    StoreKeeper* keeper;
    guint id = 0;
    static gboolean fire(gpointer p) {
      auto* self = static_cast<Midnight*>(p);
      if (auto r = self->recorder->roll_over_if_due(); !r)
        self->keeper->storage_failed("period roll-over failed", r.error());
      self->service->after_batch();
      self->schedule();
      return G_SOURCE_REMOVE;
    }
    void schedule() {
      const int64_t now = g_get_real_time() * 1000;
      const int64_t wait_s =
          std::max<int64_t>(1, (recorder->next_midnight_ns() - now) / 1'000'000'000 + 1);
      id = g_timeout_add_seconds(static_cast<guint>(std::min<int64_t>(wait_s, 86400 + 3600)),
                                 &Midnight::fire, this);
    }
  } midnight{&recorder, &service, &keeper};
  midnight.schedule();

  g_unix_signal_add(SIGTERM, on_quit_signal, loop.get());
  g_unix_signal_add(SIGINT, on_quit_signal, loop.get());
  // An upload helper that died makes writing to its pipe fail with EPIPE, not kill us.
  signal(SIGPIPE, SIG_IGN);
  sd_notify(0, "READY=1\nSTATUS=Recording metrics");
  log(LOG_INFO, "ready; state in " + paths.state_dir.string());

  g_main_loop_run(loop.get());

  sd_notify(0, "STOPPING=1");
  // A clean stop keeps the time of running timers.
  if (auto r = recorder.shutdown(); !r) log(LOG_ERR, "cannot save timers: " + r.error().message);
  service.after_batch();
  sd_bus_flush(bus.get());
  return source.disconnected() ? 1 : 0;
}
