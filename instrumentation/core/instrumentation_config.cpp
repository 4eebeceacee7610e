// SPDX-License-Identifier: GPL-2.0-or-later
#include "instrumentation_config.hpp"

#include <glib.h>

#include "glib_handles.hpp"
#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

constexpr const char* kGroup = "Collectors";

std::string known_keys() {
  std::string keys;
  for (const auto& entry : kCatalog) {
    if (!keys.empty()) keys += ", ";
    keys += entry.config_key;
  }
  return keys;
}

InstrumentationConfig all_set_to(bool value) {
  InstrumentationConfig config;
  for (const auto& entry : kCatalog) config.enabled[entry.id] = value;
  return config;
}

}  // namespace

bool InstrumentationConfig::is_enabled(CollectorId id) const {
  auto it = enabled.find(id);
  return it != enabled.end() && it->second;
}

InstrumentationConfig all_collectors_enabled() {
  return all_set_to(true);
}

InstrumentationConfig read_instrumentation_config(const std::filesystem::path& file) {
  GKeyFilePtr key_file(g_key_file_new());
  GErrorOut err;
  if (!g_key_file_load_from_file(key_file.get(), file.c_str(), G_KEY_FILE_NONE, err.out())) {
    if (g_error_matches(err.get(), G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return all_collectors_enabled();
    InstrumentationConfig config = all_set_to(false);
    config.warnings.push_back(file.string() + " cannot be read or parsed (" + err.message() +
                              "); every collector is off until it is fixed");
    return config;
  }

  InstrumentationConfig config = all_collectors_enabled();
  GStrvPtr groups(g_key_file_get_groups(key_file.get(), nullptr));
  for (gchar** group = groups.get(); group && *group; ++group)
    if (std::string(*group) != kGroup)
      config.warnings.push_back(file.string() + ": group [" + *group +
                                "] is not used (collectors are switched in [Collectors])");

  GStrvPtr keys(g_key_file_get_keys(key_file.get(), kGroup, nullptr, nullptr));
  for (gchar** key = keys.get(); key && *key; ++key) {
    auto id = collector_by_key(*key);
    if (!id) {
      config.warnings.push_back(file.string() + ": [Collectors] " + *key +
                                " is not a collector (known: " + known_keys() + "); ignored");
      continue;
    }
    GErrorOut value_err;
    gboolean value = g_key_file_get_boolean(key_file.get(), kGroup, *key, value_err.out());
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

}  // namespace metrics::instrumentation
