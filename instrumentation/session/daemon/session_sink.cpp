// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_sink.hpp"

#include "journal.hpp"
#include "session_catalog.hpp"

namespace metrics::instrumentation::session {

AppTimer& AppTimer::operator=(AppTimer&& other) noexcept {
  if (this != &other) {
    stop();
    timer_ = std::move(other.timer_);
  }
  return *this;
}

void AppTimer::stop() {
  if (!timer_) return;
  emtr_aggregate_timer_stop(timer_.get());
  timer_.reset();
}

SessionSink::SessionSink() : recorder_(emtr_event_recorder_get_default()) {}

AppTimer SessionSink::start_ide_timer(const std::string& application) {
  const SessionCatalogEntry& entry = session_entry(SessionCollector::IdeUsage);
  const std::string event_id(entry.event_id);
  // The floating payload is libmetrics'.
  EmtrAggregateTimer* timer = emtr_event_recorder_start_aggregate_timer(
      recorder_, event_id.c_str(), g_variant_new_string(application.c_str()));
  if (!timer)
    journal::error("libmetrics refused the timer of " + application, {entry.config_key, {}});
  return AppTimer(timer);
}

void SessionSink::record_toolbx(GVariant* payload) {
  const std::string event_id(session_entry(SessionCollector::ToolbxImages).event_id);
  // libmetrics consumes only a floating payload; ours is owned by the caller and stays so.
  emtr_event_recorder_record_event(recorder_, event_id.c_str(), payload);
}

}  // namespace metrics::instrumentation::session
