// SPDX-License-Identifier: GPL-2.0-or-later
#include "schedule_state.hpp"

#include <glib.h>

#include <cerrno>
#include <utility>

#include "glib_handles.hpp"
#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

constexpr const char* kStartupGroup = "startup-finished";
constexpr const char* kDailyPrefix = "daily ";
// Bound on stored times (≈ year 2116 as wall-clock ns): keeps every sum in int64.
constexpr uint64_t kMaxStoredNs = uint64_t{1} << 62;

std::optional<int64_t> read_ns(GKeyFile* key_file, const char* group, const char* key) {
  GCharPtr raw(g_key_file_get_value(key_file, group, key, nullptr));
  if (!raw) return std::nullopt;
  auto value = parse_unsigned(raw.get());
  if (!value || *value > kMaxStoredNs) return std::nullopt;
  return static_cast<int64_t>(*value);
}

std::optional<std::string> read_string(GKeyFile* key_file, const char* group, const char* key) {
  GCharPtr raw(g_key_file_get_string(key_file, group, key, nullptr));
  if (!raw) return std::nullopt;
  return std::string(raw.get());
}

}  // namespace

ScheduleState load_schedule_state(const std::filesystem::path& file) {
  ScheduleState state;
  GKeyFilePtr key_file(g_key_file_new());
  GErrorOut err;
  if (!g_key_file_load_from_file(key_file.get(), file.c_str(), G_KEY_FILE_NONE, err.out())) {
    if (!g_error_matches(err.get(), G_FILE_ERROR, G_FILE_ERROR_NOENT))
      state.warnings.push_back("schedule state " + file.string() + " is unusable (" +
                               err.message() + "); every daily collector is due now");
    return state;
  }
  state.startup_boot_id = read_string(key_file.get(), kStartupGroup, "RecordedBootId");

  GStrvPtr groups(g_key_file_get_groups(key_file.get(), nullptr));
  for (gchar** group = groups.get(); group && *group; ++group) {
    const std::string name(*group);
    if (name.rfind(kDailyPrefix, 0) != 0) continue;
    const std::string collector = name.substr(std::string(kDailyPrefix).size());
    auto boot_id = read_string(key_file.get(), *group, "BootId");
    auto due_boot = read_ns(key_file.get(), *group, "DueBoottimeNs");
    auto due_wall = read_ns(key_file.get(), *group, "DueWallNs");
    if (!boot_id || !due_boot || !due_wall) {
      std::string problem = "schedule state " + file.string() + ": [";
      problem.append(name).append("] is incomplete or out of range; ");
      problem.append(collector).append(" is due now");
      state.warnings.push_back(std::move(problem));
      continue;
    }
    state.daily[collector] = DailyAnchor{*boot_id, *due_boot, *due_wall};
  }
  return state;
}

Result<void> save_schedule_state(const std::filesystem::path& file, const ScheduleState& state) {
  GKeyFilePtr key_file(g_key_file_new());
  g_key_file_set_comment(key_file.get(), nullptr, nullptr,
                         " eos-metrics-instrumentation schedule; written by the daemon.\n"
                         " Deleting it makes every daily metric due once more.",
                         nullptr);
  if (state.startup_boot_id)
    g_key_file_set_string(key_file.get(), kStartupGroup, "RecordedBootId",
                          state.startup_boot_id->c_str());
  for (const auto& [collector, anchor] : state.daily) {
    const std::string group = kDailyPrefix + collector;
    g_key_file_set_string(key_file.get(), group.c_str(), "BootId", anchor.boot_id.c_str());
    g_key_file_set_int64(key_file.get(), group.c_str(), "DueBoottimeNs", anchor.due_boottime_ns);
    g_key_file_set_int64(key_file.get(), group.c_str(), "DueWallNs", anchor.due_wall_ns);
  }
  const auto parent = file.parent_path();
  if (!parent.empty() && g_mkdir_with_parents(parent.c_str(), 0755) != 0) {
    const int saved = errno;
    return Error{ErrorCode::kStateWriteFailed,
                 "cannot create " + parent.string() + ": " + g_strerror(saved) +
                     " (the unit's StateDirectory= should provide it)"};
  }
  gsize length = 0;
  GCharPtr data(g_key_file_to_data(key_file.get(), &length, nullptr));
  GErrorOut err;
  if (!g_file_set_contents_full(file.c_str(), data.get(), static_cast<gssize>(length),
                                G_FILE_SET_CONTENTS_CONSISTENT, 0644, err.out()))
    return Error{ErrorCode::kStateWriteFailed, "cannot write schedule state " + file.string() +
                                                   ": " + err.message() +
                                                   "; daily metrics may repeat after a restart"};
  return Ok();
}

}  // namespace metrics::instrumentation
