// SPDX-License-Identifier: GPL-2.0-or-later
// The four daily collectors: hardware info, primary storage, hardware model, locale.
//
// At start and at every wake-up: decide per collector (decide_daily), persist any
// re-anchoring, gather the sources of the due ones, persist their new deadlines, then
// record. The wake-up is a CLOCK_BOOTTIME timer at the earliest deadline, so time spent
// suspended counts and a deadline that passed during sleep fires right after resume.
#pragma once

#include <vector>

#include "boottime_timer.hpp"
#include "catalog.hpp"
#include "daily_schedule.hpp"
#include "daily_sources.hpp"
#include "instrumentation_config.hpp"
#include "metrics_sink.hpp"
#include "schedule_store.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

// After a failed save of the schedule, the next try.
inline constexpr int64_t kRetryAfterSaveFailureNs = int64_t{3600} * 1'000'000'000;

class DailyRunner {
 public:
  DailyRunner(const InstrumentationConfig& config, const SourceTree& tree, ScheduleStore& schedule,
              DailySourceGatherer& gatherer, MetricsSink& sink);
  DailyRunner(const DailyRunner&) = delete;
  DailyRunner& operator=(const DailyRunner&) = delete;

  void start();

 private:
  void check();
  void record_due(const std::vector<CollectorId>& due, const DailySources& sources);
  void arm_at(int64_t boottime_ns);
  void arm_next(const ScheduleNow& now);

  std::vector<CollectorId> enabled_;
  const SourceTree& tree_;
  ScheduleStore& schedule_;
  DailySourceGatherer& gatherer_;
  MetricsSink& sink_;
  BoottimeTimer wake_up_;
  bool gathering_ = false;
};

}  // namespace metrics::instrumentation
