// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_gate.hpp"

namespace metrics::registry {

namespace {
// The rate limiter keeps one bucket per uid; the journal has one budget for everyone.
constexpr uint32_t kJournalBucket = 0;
}  // namespace

Gate::Gate() : notice_limiter_(1.0 / kNoticeIntervalSeconds, kNoticeBurst) {}

void Gate::install(Registry registry, Mode mode) {
  registry_ = std::move(registry);
  mode_ = mode;
}

std::optional<ReloadReport> Gate::reload() {
  if (!registry_) return std::nullopt;
  return registry_->reload();
}

Verdict Gate::decide(const Uuid& id, Kind recorded_as, GVariant* payload) const {
  if (!registry_) return Verdict{true, std::nullopt};
  return registry::decide(mode_, registry_->check_recording(id, recorded_as, payload));
}

void Gate::refused(const Error& problem, std::string_view who, int64_t now_ns) {
  if (!take_notice(now_ns)) return;
  notice(false, "refused an event of " + std::string(who) + ": " + problem.message);
}

void Gate::stored_anyway(const Error& problem, std::string_view who, int64_t now_ns) {
  ++stored_anyway_[problem.code];
  if (!take_notice(now_ns)) return;
  notice(true, "RegistryMode=permissive: stored an event of " + std::string(who) +
                   " that enforce mode would refuse (" +
                   std::string(error_code_name(problem.code)) + "): " + problem.message);
}

bool Gate::take_notice(int64_t now_ns) {
  if (notice_limiter_.try_take(kJournalBucket, 1, now_ns)) return true;
  ++suppressed_;
  return false;
}

void Gate::notice(bool stored, std::string line) {
  if (suppressed_ > 0) {
    line += " (" + std::to_string(suppressed_) + " earlier " +
            (suppressed_ == 1 ? "message" : "messages") + " like this left out)";
    suppressed_ = 0;
  }
  if (on_notice) on_notice(GateNotice{stored, std::move(line)});
}

}  // namespace metrics::registry
