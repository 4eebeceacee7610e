// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_config.hpp"

#include <glib.h>

#include "glib_handles.hpp"

namespace metrics::instrumentation::session {

namespace {

constexpr const char* kGroup = "Collectors";

std::string known_keys() {
  std::string keys;
  for (const auto& entry : kSessionCatalog)
    keys += (keys.empty() ? "" : ", ") + std::string(entry.config_key);
  return keys;
}

SessionConfig all_set_to(bool value) {
  SessionConfig config;
  for (const auto& entry : kSessionCatalog) config.enabled[entry.id] = value;
  return config;
}

}  // namespace

bool SessionConfig::is_enabled(SessionCollector id) const {
  auto it = enabled.find(id);
  return it != enabled.end() && it->second;
}

SessionConfig read_session_config_file(const std::filesystem::path& file) {
  GKeyFilePtr key_file(g_key_file_new());
  GErrorOut err;
  if (!g_key_file_load_from_file(key_file.get(), file.c_str(), G_KEY_FILE_NONE, err.out())) {
    if (g_error_matches(err.get(), G_FILE_ERROR, G_FILE_ERROR_NOENT)) return all_set_to(true);
    SessionConfig config = all_set_to(false);
    config.warnings.push_back(file.string() + " cannot be read or parsed (" + err.message() +
                              "); every collector is off until it is fixed");
    return config;
  }
  SessionConfig config = all_set_to(true);
  GStrvPtr groups(g_key_file_get_groups(key_file.get(), nullptr));
  for (gchar** group = groups.get(); group && *group; ++group)
    if (std::string(*group) != kGroup)
      config.warnings.push_back(file.string() + ": group [" + *group +
                                "] is not used (collectors are switched in [Collectors])");
  GStrvPtr keys(g_key_file_get_keys(key_file.get(), kGroup, nullptr, nullptr));
  for (gchar** key = keys.get(); key && *key; ++key) {
    auto id = session_collector_by_key(*key);
    if (!id) {
      config.warnings.push_back(file.string() + ": [Collectors] " + *key +
                                " is not a collector (known: " + known_keys() + "); ignored");
      continue;
    }
    GErrorOut value_err;
    const gboolean value = g_key_file_get_boolean(key_file.get(), kGroup, *key, value_err.out());
    if (value_err) {
      GCharPtr raw(g_key_file_get_value(key_file.get(), kGroup, *key, nullptr));
      config.enabled[*id] = false;
      config.warnings.push_back(file.string() + ": [Collectors] " + *key + "='" +
                                (raw ? raw.get() : "") +
                                "' is not a boolean (use true or false); " + *key + " is off");
      continue;
    }
    config.enabled[*id] = value != FALSE;
  }
  return config;
}

SessionConfig read_session_config(const std::filesystem::path& system_file,
                                  const std::filesystem::path& user_file) {
  SessionConfig config = read_session_config_file(system_file);
  if (user_file.empty()) return config;
  SessionConfig user = read_session_config_file(user_file);
  for (auto& [id, enabled] : config.enabled) enabled = enabled && user.is_enabled(id);
  config.warnings.insert(config.warnings.end(), user.warnings.begin(), user.warnings.end());
  return config;
}

}  // namespace metrics::instrumentation::session
