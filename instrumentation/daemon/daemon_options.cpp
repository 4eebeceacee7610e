// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon_options.hpp"

#include <glib.h>

#include <memory>
#include <string_view>

#include "glib_handles.hpp"

namespace metrics::instrumentation {

namespace {

struct OptionContextFree {
  void operator()(GOptionContext* context) const { g_option_context_free(context); }
};

}  // namespace

std::string first_state_directory(const char* state_directory_env) {
  if (!state_directory_env) return "";
  const std::string_view value(state_directory_env);
  return std::string(value.substr(0, value.find(':')));
}

Result<DaemonOptions> parse_daemon_options(int& argc, char**& argv,
                                           const char* state_directory_env) {
  gchar* source_root = nullptr;
  gchar* config_file = nullptr;
  gchar* state_dir = nullptr;
  gchar* lscpu = nullptr;
  const GOptionEntry entries[] = {
      {"source-root", 0, 0, G_OPTION_ARG_FILENAME, &source_root,
       "Directory holding the proc, sys and etc trees to read (default: /)", "DIR"},
      {"config-file", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
       "Collector switches (default: " METRICS_INSTRUMENTATION_CONFIG_FILE ")", "PATH"},
      {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
       "Where the schedule is kept (default: $STATE_DIRECTORY, "
       "else " METRICS_INSTRUMENTATION_STATE_DIR ")",
       "DIR"},
      {"lscpu", 0, 0, G_OPTION_ARG_FILENAME, &lscpu, "The lscpu program (default: lscpu in PATH)",
       "PATH"},
      {},
  };
  std::unique_ptr<GOptionContext, OptionContextFree> context(
      g_option_context_new("- record the system metrics the distribution approved"));
  g_option_context_add_main_entries(context.get(), entries, nullptr);
  GErrorOut err;
  const bool parsed = g_option_context_parse(context.get(), &argc, &argv, err.out());
  const GCharPtr owned_source_root(source_root);
  const GCharPtr owned_config_file(config_file);
  const GCharPtr owned_state_dir(state_dir);
  const GCharPtr owned_lscpu(lscpu);
  if (!parsed) return Error{ErrorCode::kInvalidArguments, err.message() + " (see --help)"};
  if (argc > 1)
    return Error{ErrorCode::kInvalidArguments,
                 std::string("unexpected argument '") + argv[1] + "' (see --help)"};

  DaemonOptions options;
  if (source_root) options.paths.source_root = source_root;
  if (config_file) options.paths.config_file = config_file;
  if (lscpu) options.paths.lscpu = lscpu;
  if (state_dir) {
    options.paths.state_dir = state_dir;
  } else if (auto from_systemd = first_state_directory(state_directory_env);
             !from_systemd.empty()) {
    options.paths.state_dir = from_systemd;
  }
  return options;
}

}  // namespace metrics::instrumentation
