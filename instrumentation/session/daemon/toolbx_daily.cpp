// SPDX-License-Identifier: GPL-2.0-or-later
#include "toolbx_daily.hpp"

#include <glib.h>

#include "daily_schedule.hpp"
#include "journal.hpp"
#include "program_runner.hpp"
#include "schedule_now.hpp"
#include "toolbx_images.hpp"

namespace metrics::instrumentation::session {

namespace {

constexpr std::string_view kKey = session_entry(SessionCollector::ToolbxImages).config_key;

journal::Fields about_toolbx(std::string_view message_id = {}) {
  return {kKey, message_id};
}

std::string in_hours(int64_t ns) {
  const int64_t minutes = ns / (int64_t{60} * 1'000'000'000);
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

}  // namespace

ToolbxDaily::ToolbxDaily(const SessionOptions& options, const SourceTree& tree,
                         ScheduleStore& schedule, SessionSink& sink, ValueSet distributions)
    : options_(options),
      tree_(tree),
      schedule_(schedule),
      sink_(sink),
      distributions_(std::move(distributions)),
      wake_up_([this] { check(); }) {
  distributions_.erase(std::string(kOther));
}

ToolbxDaily::~ToolbxDaily() {
  if (running_) g_cancellable_cancel(running_.get());
}

void ToolbxDaily::set_active(bool active) {
  if (active == active_) return;
  active_ = active;
  if (active) {
    check();
    return;
  }
  wake_up_.disarm();
  if (running_) {
    g_cancellable_cancel(running_.get());
    running_.reset();
  }
}

void ToolbxDaily::check() {
  if (!active_ || running_) return;
  const ScheduleNow now = schedule_now(tree_);
  auto& daily = schedule_.state().daily;
  const std::string key(kKey);
  auto it = daily.find(key);
  const auto anchor = it == daily.end() ? std::nullopt : std::optional<DailyAnchor>(it->second);
  const DailyDecision decision = decide_daily(anchor, now);
  if (decision.reanchored) {
    daily[key] = *decision.reanchored;
    if (auto saved = schedule_.save(); !saved)
      journal::warning(saved.error().message, about_toolbx(journal::kScheduleProblem));
  }
  if (!decision.due) {
    journal::info("next Toolbx check in " + in_hours(decision.wait_ns), about_toolbx());
    arm_at(now.boottime_ns + decision.wait_ns);
    return;
  }
  ProgramRequest request;
  request.program = options_.podman;
  request.arguments = {"ps",       "--all",
                       "--filter", "label=" + std::string(kToolbxLabel) + "=true",
                       "--format", "json"};
  request.timeout = options_.podman_timeout;
  request.error_code = ErrorCode::kPodmanFailed;
  request.not_found_code = ErrorCode::kPodmanNotFound;
  running_.reset(g_cancellable_new());
  run_program_async(std::move(request), running_.get(),
                    [this](Result<std::string> output) { podman_done(std::move(output)); });
}

void ToolbxDaily::podman_done(Result<std::string> output) {
  running_.reset();
  const ScheduleNow now = schedule_now(tree_);
  ToolbxReport report;
  if (output) {
    auto counted = count_toolbx_images(*output, g_get_real_time() / G_USEC_PER_SEC, distributions_);
    if (!counted) {
      journal::warning(counted.error().message + "; nothing sent, next try in 1 h",
                       about_toolbx(journal::kFallbackUsed));
      arm_at(now.boottime_ns + kToolbxRetryNs);
      return;
    }
    report = std::move(*counted);
  } else if (output.error().code == ErrorCode::kPodmanNotFound) {
    // Toolbx runs on podman: without it this user has no Toolbx containers.
    journal::info(output.error().message + "; sending the empty list", about_toolbx());
  } else {
    journal::warning(output.error().message + "; nothing sent, next try in 1 h",
                     about_toolbx(journal::kFallbackUsed));
    arm_at(now.boottime_ns + kToolbxRetryNs);
    return;
  }
  for (const std::string& warning : report.warnings)
    journal::warning(warning, about_toolbx(journal::kFallbackUsed));

  // The deadline is on disk before anything is recorded: a crash in between loses a day's
  // event rather than sending it twice.
  auto& daily = schedule_.state().daily;
  const std::string key(kKey);
  const auto before = daily;
  daily[key] = anchor_after_sending(now);
  if (auto saved = schedule_.save(); !saved) {
    daily = before;
    journal::error(saved.error().message +
                       "; not recorded, so that a restart cannot send it twice; next try in 1 h",
                   about_toolbx(journal::kScheduleProblem));
    arm_at(now.boottime_ns + kToolbxRetryNs);
    return;
  }
  const GVariantPtr payload = toolbx_payload(report.images);
  sink_.record_toolbx(payload.get());
  const GCharPtr text(g_variant_print(payload.get(), FALSE));
  journal::info(std::string("recorded ") + text.get(), about_toolbx(journal::kEventRecorded));
  journal::info("next Toolbx check in " + in_hours(kDailyIntervalNs), about_toolbx());
  arm_at(now.boottime_ns + kDailyIntervalNs);
}

void ToolbxDaily::arm_at(int64_t boottime_ns) {
  if (!active_) return;
  if (auto armed = wake_up_.arm_at(boottime_ns); !armed)
    journal::error(armed.error().message + "; the Toolbx event waits for the next start",
                   about_toolbx(journal::kScheduleProblem));
}

}  // namespace metrics::instrumentation::session
