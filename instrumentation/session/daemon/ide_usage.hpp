// SPDX-License-Identifier: GPL-2.0-or-later
// IDE usage: a libmetrics timer per listed application while at least one of its units
// runs in the user manager (UserUnits → AppUsageTracker → timers). Stopped, with every
// timer, while consent is declined.
//
// A recorder that restarts (an update) saves the time of its timers and forgets them;
// the timers of applications still running are then started again on the new instance.
#pragma once

#include <gio/gio.h>

#include <map>
#include <memory>
#include <string>

#include "app_usage_tracker.hpp"
#include "name_watch.hpp"
#include "session_registry.hpp"
#include "session_sink.hpp"
#include "user_units.hpp"

namespace metrics::instrumentation::session {

class IdeUsage {
 public:
  IdeUsage(GDBusConnection* session_bus, GDBusConnection* system_bus, SessionSink& sink,
           ValueSet applications);
  ~IdeUsage();
  IdeUsage(const IdeUsage&) = delete;
  IdeUsage& operator=(const IdeUsage&) = delete;

  // Watching the user manager while `active`; inactive, nothing is watched and every
  // timer is stopped (its time counted up to now).
  void set_active(bool active);
  void stop_all();

 private:
  struct Running {
    AppTimer timer;
    uint64_t recorder_instance = 0;
  };

  void apply(const std::vector<AppAction>& actions);
  void recorder_appeared();
  void recorder_vanished();

  GDBusConnection* session_bus_;
  SessionSink& sink_;
  AppUsageTracker tracker_;
  std::unique_ptr<UserUnits> units_;
  std::map<std::string, Running> timers_;
  uint64_t recorder_instance_ = 0;
  bool recorder_seen_ = false;
  bool recorder_gone_ = false;
  std::unique_ptr<NameWatch> recorder_;
};

}  // namespace metrics::instrumentation::session
