// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-instrumentation: records the system metrics the distribution approved
// (docs/instrumentation.md) through libmetrics. One thread, one GLib main loop.
#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstdlib>

#include "daemon_options.hpp"
#include "glib_handles.hpp"
#include "instrumentation_daemon.hpp"
#include "journal.hpp"

using namespace metrics;
using namespace metrics::instrumentation;

namespace {

// Bound on the main-context turns after the loop ends: enough for cancelled calls to
// complete and free what they hold, never a wait for another process.
constexpr int kMaxDrainTurns = 1000;

gboolean quit_on_signal(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;
}

GSourcePtr quit_on(int signal_number, GMainLoop* loop) {
  GSourcePtr source(g_unix_signal_source_new(signal_number));
  g_source_set_callback(source.get(), quit_on_signal, loop, nullptr);
  g_source_attach(source.get(), nullptr);
  return source;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_daemon_options(argc, argv, std::getenv("STATE_DIRECTORY"));
  if (!options) {
    std::fprintf(stderr, "eos-metrics-instrumentation: %s\n", options.error().message.c_str());
    return 2;
  }

  GMainLoopPtr loop(g_main_loop_new(nullptr, FALSE));
  int status = 0;
  {
    InstrumentationDaemon daemon(std::move(options.value()), [&](int fatal_status) {
      status = fatal_status;
      g_main_loop_quit(loop.get());
    });
    const GSourcePtr on_term = quit_on(SIGTERM, loop.get());
    const GSourcePtr on_int = quit_on(SIGINT, loop.get());
    daemon.start();
    g_main_loop_run(loop.get());

    sd_notify(0, "STOPPING=1");
    daemon.shut_down();
    journal::info("stopped");
  }
  for (int turn = 0; turn < kMaxDrainTurns && g_main_context_pending(nullptr); ++turn)
    g_main_context_iteration(nullptr, FALSE);
  return status;
}
