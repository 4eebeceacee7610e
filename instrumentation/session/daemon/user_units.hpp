// SPDX-License-Identifier: GPL-2.0-or-later
// The units of the systemd user manager (org.freedesktop.systemd1 on the session bus)
// that run a listed application, and their ActiveState.
//
// When the manager is on the bus: UnitNew and UnitRemoved are subscribed to first, then
// the manager is asked to send them (Subscribe) and the units already there are listed
// (ListUnits), so no unit falls between the two. For each unit whose name is a listed
// application's (AppUsageTracker::listed_application) the unit's PropertiesChanged is
// subscribed to and its ActiveState read. Nothing else is looked at: the units of other
// applications and services cost a name check, and nothing at all while nothing changes.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "glib_handles.hpp"
#include "name_watch.hpp"
#include "signal_subscription.hpp"

namespace metrics::instrumentation::session {

class UserUnits {
 public:
  struct Handlers {
    // The application's unit now has this ActiveState.
    std::function<void(const std::string& unit_path, const std::string& application,
                       const std::string& active_state)>
        state;
    std::function<void(const std::string& unit_path)> removed;
    // The manager left the bus: every unit is gone with it.
    std::function<void()> manager_gone;
  };
  // The listed application a unit name runs, or nullopt.
  using Filter = std::function<std::optional<std::string>(const std::string& unit_name)>;

  UserUnits(GDBusConnection* session_bus, Filter filter, Handlers handlers);
  ~UserUnits();  // unsubscribes, and asks the manager to stop sending its signals
  UserUnits(const UserUnits&) = delete;
  UserUnits& operator=(const UserUnits&) = delete;

  void start();
  size_t watched_units() const { return watched_.size(); }

 private:
  struct Watched {
    std::string application;
    std::unique_ptr<SignalSubscription> properties;
  };

  void manager_appeared();
  void manager_vanished();
  void list_units();
  void watch(const std::string& path, const std::string& application);
  void unwatch(const std::string& path);
  void read_state(const std::string& path);

  GDBusConnection* bus_;
  Filter filter_;
  Handlers handlers_;
  bool subscribed_ = false;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  std::unique_ptr<SignalSubscription> unit_new_;
  std::unique_ptr<SignalSubscription> unit_removed_;
  std::unique_ptr<NameWatch> manager_;
  std::map<std::string, Watched> watched_;  // by object path
};

}  // namespace metrics::instrumentation::session
