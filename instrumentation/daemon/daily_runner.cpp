// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_runner.hpp"

#include <algorithm>
#include <string>

#include "journal.hpp"
#include "schedule_now.hpp"

namespace metrics::instrumentation {

namespace {

std::string key_of(CollectorId id) {
  return std::string(catalog_entry(id).config_key);
}

std::string names(const std::vector<CollectorId>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ", ") + key_of(id);
  return out;
}

std::string in_hours(int64_t ns) {
  const int64_t minutes = ns / (int64_t{60} * 1'000'000'000);
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

}  // namespace

DailyRunner::DailyRunner(const InstrumentationConfig& config, const SourceTree& tree,
                         ScheduleStore& schedule, DailySourceGatherer& gatherer, MetricsSink& sink)
    : tree_(tree), schedule_(schedule), gatherer_(gatherer), sink_(sink), wake_up_([this] {
        check();
      }) {
  for (const auto& entry : kCatalog)
    if (entry.daily && config.is_enabled(entry.id)) enabled_.push_back(entry.id);
}

void DailyRunner::start() {
  if (enabled_.empty()) {
    journal::info("every daily collector is switched off");
    return;
  }
  check();
}

void DailyRunner::check() {
  if (gathering_) return;  // the gathering in progress re-arms when it ends
  const ScheduleNow now = schedule_now(tree_);
  auto& daily = schedule_.state().daily;
  std::vector<CollectorId> due;
  bool reanchored = false;
  for (auto id : enabled_) {
    const std::string key = key_of(id);
    auto it = daily.find(key);
    const auto anchor = it == daily.end() ? std::nullopt : std::optional<DailyAnchor>(it->second);
    const DailyDecision decision = decide_daily(anchor, now);
    if (decision.reanchored) {
      daily[key] = *decision.reanchored;
      reanchored = true;
    }
    if (decision.due) due.push_back(id);
  }
  // A new boot's deadlines, on this boot's CLOCK_BOOTTIME: kept even if nothing is due,
  // so that later wall-clock changes no longer matter.
  if (reanchored)
    if (auto saved = schedule_.save(); !saved)
      journal::warning(saved.error().message, {{}, journal::kScheduleProblem});
  if (due.empty()) {
    arm_next(now);
    return;
  }
  journal::info("due now: " + names(due));
  gathering_ = true;
  gatherer_.gather(due, [this, due](const DailySources& sources) { record_due(due, sources); });
}

void DailyRunner::record_due(const std::vector<CollectorId>& due, const DailySources& sources) {
  gathering_ = false;
  const ScheduleNow now = schedule_now(tree_);
  auto& daily = schedule_.state().daily;
  const auto before = daily;
  for (auto id : due) daily[key_of(id)] = anchor_after_sending(now);
  // The deadlines are on disk before anything is recorded: a crash in between loses a
  // day's events rather than sending them twice.
  if (auto saved = schedule_.save(); !saved) {
    daily = before;
    journal::error(saved.error().message + "; " + names(due) +
                       " not recorded, so that a restart cannot send them twice; next try in 1 h",
                   {{}, journal::kScheduleProblem});
    arm_at(now.boottime_ns + kRetryAfterSaveFailureNs);
    return;
  }
  for (auto id : due) {
    const std::string key = key_of(id);
    auto payload = daily_payload(id, sources);
    for (const auto& warning : payload.warnings)
      journal::warning(warning, {key, journal::kFallbackUsed});
    sink_.record(id, payload.value.get());
    const GCharPtr text(g_variant_print(payload.value.get(), FALSE));
    journal::info(std::string("recorded ") + text.get(), {key, journal::kEventRecorded});
  }
  arm_next(now);
}

void DailyRunner::arm_next(const ScheduleNow& now) {
  const auto& daily = schedule_.state().daily;
  int64_t wait = kDailyIntervalNs;
  for (auto id : enabled_) {
    auto it = daily.find(key_of(id));
    const auto anchor = it == daily.end() ? std::nullopt : std::optional<DailyAnchor>(it->second);
    wait = std::min(wait, decide_daily(anchor, now).wait_ns);
  }
  journal::info("next daily check in " + in_hours(wait));
  arm_at(now.boottime_ns + wait);
}

void DailyRunner::arm_at(int64_t boottime_ns) {
  if (auto armed = wake_up_.arm_at(boottime_ns); !armed)
    journal::error(armed.error().message + "; daily metrics wait for the next daemon start",
                   {{}, journal::kScheduleProblem});
}

}  // namespace metrics::instrumentation
