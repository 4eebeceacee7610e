// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-event-recorder: owns com.endlessm.Metrics on the system bus.
// main() parses the options and runs the daemon object (recorder_daemon.hpp).
#include <glib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "clock.hpp"
#include "glib_handles.hpp"
#include "log.hpp"
#include "paths.hpp"
#include "recorder_daemon.hpp"

using namespace metrics;
using namespace metrics::bus;

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  SystemClock clock;
  RecorderDaemon daemon(make_paths(options), clock);
  if (auto started = daemon.start(); !started) {
    log(LOG_ERR, started.error().message);
    return 1;
  }
  daemon.run();
  return daemon.stop();
}
