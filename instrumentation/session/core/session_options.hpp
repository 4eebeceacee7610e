// SPDX-License-Identifier: GPL-2.0-or-later
// The session collector's command line and environment. Production runs without options
// (the user unit starts it); tests point each source at a stand-in.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "result.hpp"

namespace metrics::instrumentation::session {

inline constexpr std::chrono::seconds kPodmanTimeout{60};

struct SessionOptions {
  std::filesystem::path system_config;      // /etc/metrics/session-collector.conf
  std::filesystem::path user_config;        // $XDG_CONFIG_HOME/metrics/session-collector.conf
  std::filesystem::path state_dir;          // the Toolbx schedule
  std::filesystem::path registry_dir;       // the metric registry the recorder enforces
  std::filesystem::path source_root = "/";  // where /proc/sys/kernel/random/boot_id is read
  std::string podman = "podman";
  std::chrono::milliseconds podman_timeout = kPodmanTimeout;

  std::filesystem::path schedule_file() const { return state_dir / "schedule"; }
};

struct SessionEnvironment {
  const char* state_directory = nullptr;  // systemd's STATE_DIRECTORY (colon-separated)
  std::string user_state_dir;             // g_get_user_state_dir()
  std::string user_config_dir;            // g_get_user_config_dir()
};

// Precedence for the state directory: --state-dir, the first entry of STATE_DIRECTORY,
// then $XDG_STATE_HOME/eos-metrics-session-collector. Error "InvalidArguments".
Result<SessionOptions> parse_session_options(int& argc, char**& argv,
                                             const SessionEnvironment& environment);

}  // namespace metrics::instrumentation::session
