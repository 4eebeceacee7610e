// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics_sink.hpp"

#include <string>

#include "journal.hpp"

namespace metrics::instrumentation {

SessionTimer& SessionTimer::operator=(SessionTimer&& other) noexcept {
  if (this != &other) {
    stop();
    timer_ = std::move(other.timer_);
  }
  return *this;
}

void SessionTimer::stop() {
  if (!timer_) return;
  emtr_aggregate_timer_stop(timer_.get());
  timer_.reset();
}

MetricsSink::MetricsSink() : recorder_(emtr_event_recorder_get_default()) {}

void MetricsSink::record(CollectorId collector, GVariant* payload) {
  const std::string event_id(catalog_entry(collector).event_id);
  // libmetrics consumes only a floating payload; ours is owned by the caller and stays so.
  emtr_event_recorder_record_event(recorder_, event_id.c_str(), payload);
}

SessionTimer MetricsSink::start_session_timer(uint32_t uid) {
  const std::string event_id(catalog_entry(CollectorId::SessionTime).event_id);
  EmtrAggregateTimer* timer = emtr_event_recorder_start_aggregate_timer_with_uid(
      recorder_, static_cast<uid_t>(uid), event_id.c_str(), nullptr);
  if (!timer)
    journal::error("libmetrics refused the session timer of uid " + std::to_string(uid),
                   {catalog_entry(CollectorId::SessionTime).config_key, {}});
  return SessionTimer(timer);
}

}  // namespace metrics::instrumentation
