// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_options.hpp"

#include <glib.h>

#include <memory>
#include <string_view>

#include "glib_handles.hpp"
#include "registry.hpp"

namespace metrics::instrumentation::session {

namespace {

struct OptionContextFree {
  void operator()(GOptionContext* context) const { g_option_context_free(context); }
};

constexpr const char* kStateName = "eos-metrics-session-collector";

}  // namespace

Result<SessionOptions> parse_session_options(int& argc, char**& argv,
                                             const SessionEnvironment& environment) {
  gchar* config_file = nullptr;
  gchar* user_config_file = nullptr;
  gchar* state_dir = nullptr;
  gchar* registry_dir = nullptr;
  gchar* source_root = nullptr;
  gchar* podman = nullptr;
  gint podman_timeout = static_cast<gint>(kPodmanTimeout.count());
  const GOptionEntry entries[] = {
      {"config-file", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
       "The administrator's collector switches (default: " METRICS_SESSION_CONFIG_FILE ")", "PATH"},
      {"user-config-file", 0, 0, G_OPTION_ARG_FILENAME, &user_config_file,
       "The user's collector switches (default: $XDG_CONFIG_HOME/metrics/session-collector.conf)",
       "PATH"},
      {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
       "Where the Toolbx schedule is kept (default: $STATE_DIRECTORY, else "
       "$XDG_STATE_HOME/eos-metrics-session-collector)",
       "DIR"},
      {"registry-dir", 0, 0, G_OPTION_ARG_FILENAME, &registry_dir,
       "The metric registry (default: the installed one)", "DIR"},
      {"source-root", 0, 0, G_OPTION_ARG_FILENAME, &source_root,
       "Directory holding the proc tree to read the boot id from (default: /)", "DIR"},
      {"podman", 0, 0, G_OPTION_ARG_FILENAME, &podman,
       "The podman program (default: podman in PATH)", "PATH"},
      {"podman-timeout", 0, 0, G_OPTION_ARG_INT, &podman_timeout,
       "Seconds podman may take before it is killed (default: 60)", "SECONDS"},
      {},
  };
  std::unique_ptr<GOptionContext, OptionContextFree> context(
      g_option_context_new("- record the approved metrics of the user session"));
  g_option_context_add_main_entries(context.get(), entries, nullptr);
  GErrorOut err;
  const bool parsed = g_option_context_parse(context.get(), &argc, &argv, err.out());
  const GCharPtr owned[] = {GCharPtr(config_file),  GCharPtr(user_config_file), GCharPtr(state_dir),
                            GCharPtr(registry_dir), GCharPtr(source_root),      GCharPtr(podman)};
  if (!parsed) return Error{ErrorCode::kInvalidArguments, err.message() + " (see --help)"};
  if (argc > 1)
    return Error{ErrorCode::kInvalidArguments,
                 std::string("unexpected argument '") + argv[1] + "' (see --help)"};
  if (podman_timeout < 1 || podman_timeout > 3600)
    return Error{ErrorCode::kInvalidArguments, "--podman-timeout must be 1 to 3600 seconds, not " +
                                                   std::to_string(podman_timeout)};

  SessionOptions options;
  options.system_config = config_file ? config_file : METRICS_SESSION_CONFIG_FILE;
  if (user_config_file)
    options.user_config = user_config_file;
  else if (!environment.user_config_dir.empty())
    options.user_config =
        std::filesystem::path(environment.user_config_dir) / "metrics" / "session-collector.conf";
  options.registry_dir = registry_dir ? registry_dir : registry::default_directory();
  if (source_root) options.source_root = source_root;
  if (podman) options.podman = podman;
  options.podman_timeout = std::chrono::seconds(podman_timeout);
  const std::string_view from_systemd =
      environment.state_directory ? std::string_view(environment.state_directory) : "";
  if (state_dir)
    options.state_dir = state_dir;
  else if (!from_systemd.empty() && from_systemd.substr(0, from_systemd.find(':')) != "")
    options.state_dir = std::string(from_systemd.substr(0, from_systemd.find(':')));
  else
    options.state_dir = std::filesystem::path(environment.user_state_dir) / kStateName;
  return options;
}

}  // namespace metrics::instrumentation::session
