// SPDX-License-Identifier: GPL-2.0-or-later
// Which listed applications run, from the state of their units: an application runs
// while at least one of its units does, so an IDE in three windows, or with a helper
// process in a unit of its own, counts once. Units of applications that are not on the
// list are not kept at all. No D-Bus here: the daemon feeds it unit states and turns its
// answers into timers.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace metrics::instrumentation::session {

struct AppAction {
  enum class Kind { Start, Stop };
  Kind kind;
  std::string application;
  friend bool operator==(const AppAction&, const AppAction&) = default;
};

// Whether systemd's ActiveState means the unit's processes are there: active, reloading,
// activating, deactivating and refreshing do; inactive, failed and maintenance do not.
bool unit_state_is_running(std::string_view active_state);

class AppUsageTracker {
 public:
  explicit AppUsageTracker(std::set<std::string, std::less<>> allowed);

  // The application `unit_name` runs, when it is on the list; nullopt otherwise.
  std::optional<std::string> listed_application(std::string_view unit_name) const;

  // The unit (by its object path) of `application` now has `active_state`. Returns the
  // Start of an application that was not running, or the Stop of one whose last running
  // unit this was.
  std::vector<AppAction> unit_state(const std::string& unit, const std::string& application,
                                    std::string_view active_state);
  // The unit is gone (UnitRemoved, or no longer listed).
  std::vector<AppAction> unit_removed(const std::string& unit);
  // Every running application stops (shutdown, consent declined, the manager left).
  std::vector<AppAction> stop_all();

  std::vector<std::string> running_applications() const;
  bool tracks(const std::string& unit) const { return unit_app_.count(unit) != 0; }

 private:
  std::set<std::string, std::less<>> allowed_;
  std::map<std::string, std::string> unit_app_;             // running unit → application
  std::map<std::string, std::set<std::string>> app_units_;  // application → its running units
};

}  // namespace metrics::instrumentation::session
