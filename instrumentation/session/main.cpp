// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-session-collector: records the approved metrics of the user's session (IDE
// usage, Toolbx containers; docs/instrumentation.md) through libmetrics. One process per
// user session, one thread, one GLib main loop.
#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstdlib>

#include "glib_handles.hpp"
#include "journal.hpp"
#include "session_collector.hpp"
#include "session_options.hpp"

using namespace metrics;
using namespace metrics::instrumentation;
using namespace metrics::instrumentation::session;

namespace {

constexpr const char* kName = "eos-metrics-session-collector";
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
  journal::set_identifier(kName);
  SessionEnvironment environment{std::getenv("STATE_DIRECTORY"), g_get_user_state_dir(),
                                 g_get_user_config_dir()};
  auto options = parse_session_options(argc, argv, environment);
  if (!options) {
    std::fprintf(stderr, "%s: %s\n", kName, options.error().message.c_str());
    return 2;
  }

  GMainLoopPtr loop(g_main_loop_new(nullptr, FALSE));
  int status = 0;
  {
    SessionCollectorDaemon daemon(std::move(options.value()), [&](int fatal_status) {
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
