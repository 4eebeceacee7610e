// SPDX-License-Identifier: GPL-2.0-or-later
// The switches of the session collector, one per collector, in two files with the format
// of instrumentation.conf:
//
//   [Collectors]
//   ide-usage=false
//
// /etc/metrics/session-collector.conf is the administrator's, for every user;
// $XDG_CONFIG_HOME/metrics/session-collector.conf (~/.config/…) is the user's own. A
// collector runs only if neither file switches it off: a user can switch off what the
// administrator allows, never switch on what the administrator switched off. Within one
// file the rules of instrumentation.conf hold: no key, the collector runs; a value that
// is not a boolean switches that collector off; a file that exists but cannot be read or
// parsed switches every collector off.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "session_catalog.hpp"

namespace metrics::instrumentation::session {

struct SessionConfig {
  std::map<SessionCollector, bool> enabled;  // every collector present
  std::vector<std::string> warnings;

  bool is_enabled(SessionCollector id) const;
};

SessionConfig read_session_config_file(const std::filesystem::path& file);

// Both files; `user_file` may be empty (no home directory): then only the system's.
SessionConfig read_session_config(const std::filesystem::path& system_file,
                                  const std::filesystem::path& user_file);

}  // namespace metrics::instrumentation::session
