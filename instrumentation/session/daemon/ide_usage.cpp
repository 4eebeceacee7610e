// SPDX-License-Identifier: GPL-2.0-or-later
#include "ide_usage.hpp"

#include "bus_names.hpp"
#include "journal.hpp"

namespace metrics::instrumentation::session {

namespace {

journal::Fields about_ides() {
  return {session_entry(SessionCollector::IdeUsage).config_key, {}};
}

}  // namespace

IdeUsage::IdeUsage(GDBusConnection* session_bus, GDBusConnection* system_bus, SessionSink& sink,
                   ValueSet applications)
    : session_bus_(session_bus), sink_(sink), tracker_(std::move(applications)) {
  recorder_ = std::make_unique<NameWatch>(
      system_bus, bus_names::kRecorder, [this] { recorder_appeared(); },
      [this] { recorder_vanished(); });
}

IdeUsage::~IdeUsage() {
  recorder_.reset();
  units_.reset();
  stop_all();
}

void IdeUsage::set_active(bool active) {
  if (active == (units_ != nullptr)) return;
  if (!active) {
    units_.reset();
    stop_all();
    return;
  }
  units_ = std::make_unique<UserUnits>(
      session_bus_,
      [this](const std::string& unit_name) { return tracker_.listed_application(unit_name); },
      UserUnits::Handlers{[this](const std::string& unit, const std::string& application,
                                 const std::string& state) {
                            apply(tracker_.unit_state(unit, application, state));
                          },
                          [this](const std::string& unit) { apply(tracker_.unit_removed(unit)); },
                          [this] { apply(tracker_.stop_all()); }});
  units_->start();
}

void IdeUsage::stop_all() {
  apply(tracker_.stop_all());
}

void IdeUsage::apply(const std::vector<AppAction>& actions) {
  for (const AppAction& action : actions) {
    if (action.kind == AppAction::Kind::Start) {
      timers_[action.application] =
          Running{sink_.start_ide_timer(action.application), recorder_instance_};
      journal::info("timer started for " + action.application, about_ides());
    } else {
      timers_.erase(action.application);  // stops it
      journal::info("timer stopped for " + action.application, about_ides());
    }
  }
}

void IdeUsage::recorder_vanished() {
  // The first answer of the watch may be "not there yet" (activated on first use): only
  // an instance that was seen can have forgotten our timers.
  if (!recorder_seen_ || recorder_gone_) return;
  recorder_gone_ = true;
  ++recorder_instance_;
}

void IdeUsage::recorder_appeared() {
  recorder_seen_ = true;
  if (!recorder_gone_) return;
  recorder_gone_ = false;
  for (auto& [application, running] : timers_) {
    if (running.recorder_instance == recorder_instance_) continue;
    running = Running{sink_.start_ide_timer(application), recorder_instance_};
    journal::info("timer started again for " + application +
                      " (the recorder restarted and saved the time so far)",
                  about_ides());
  }
}

}  // namespace metrics::instrumentation::session
