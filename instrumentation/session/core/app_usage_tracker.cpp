// SPDX-License-Identifier: GPL-2.0-or-later
#include "app_usage_tracker.hpp"

#include "app_unit_name.hpp"

namespace metrics::instrumentation::session {

bool unit_state_is_running(std::string_view active_state) {
  for (std::string_view running :
       {"active", "reloading", "activating", "deactivating", "refreshing"})
    if (active_state == running) return true;
  return false;
}

AppUsageTracker::AppUsageTracker(std::set<std::string, std::less<>> allowed)
    : allowed_(std::move(allowed)) {}

std::optional<std::string> AppUsageTracker::listed_application(std::string_view unit_name) const {
  auto id = application_id_of_unit(unit_name);
  if (!id || allowed_.find(*id) == allowed_.end()) return std::nullopt;
  return id;
}

std::vector<AppAction> AppUsageTracker::unit_state(const std::string& unit,
                                                   const std::string& application,
                                                   std::string_view active_state) {
  if (!unit_state_is_running(active_state)) return unit_removed(unit);
  if (allowed_.find(application) == allowed_.end()) return {};
  if (auto it = unit_app_.find(unit); it != unit_app_.end()) {
    if (it->second == application) return {};
    // A unit does not change application; if it seems to, the old one ends first.
    auto stops = unit_removed(unit);
    auto starts = unit_state(unit, application, active_state);
    stops.insert(stops.end(), starts.begin(), starts.end());
    return stops;
  }
  unit_app_[unit] = application;
  auto& units = app_units_[application];
  units.insert(unit);
  if (units.size() == 1) return {AppAction{AppAction::Kind::Start, application}};
  return {};
}

std::vector<AppAction> AppUsageTracker::unit_removed(const std::string& unit) {
  auto it = unit_app_.find(unit);
  if (it == unit_app_.end()) return {};
  const std::string application = it->second;
  unit_app_.erase(it);
  auto& units = app_units_[application];
  units.erase(unit);
  if (!units.empty()) return {};
  app_units_.erase(application);
  return {AppAction{AppAction::Kind::Stop, application}};
}

std::vector<AppAction> AppUsageTracker::stop_all() {
  std::vector<AppAction> stops;
  for (const auto& [application, units] : app_units_)
    stops.push_back(AppAction{AppAction::Kind::Stop, application});
  unit_app_.clear();
  app_units_.clear();
  return stops;
}

std::vector<std::string> AppUsageTracker::running_applications() const {
  std::vector<std::string> out;
  for (const auto& [application, units] : app_units_) out.push_back(application);
  return out;
}

}  // namespace metrics::instrumentation::session
