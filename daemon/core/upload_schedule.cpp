// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_schedule.hpp"

#include "original_messages.hpp"

namespace metrics::upload {

std::optional<Error> session_blocker(const Conditions& c) {
  if (!c.granted) {
    if (!c.permissions_problem.empty())
      return Error{ErrorCode::kConfigurationInvalid, c.permissions_problem};
    return Error{ErrorCode::kUploadingDisabled, original::uploading_disabled("It is not enabled.")};
  }
  if (!c.has_server_base) return Error{ErrorCode::kInvalidServerUrl, c.url_problem};
  if (!c.upload_problem.empty())
    return Error{ErrorCode::kUploadConfigurationInvalid, c.upload_problem};
  if (!c.network_available) {
    return Error{ErrorCode::kNetworkUnavailable,
                 "the network is not available; events stay queued"};
  }
  if (c.network_metered && !c.allow_metered) {
    return Error{ErrorCode::kNetworkMetered,
                 "the connection is metered and AllowMeteredUploads is off; events stay queued"};
  }
  return std::nullopt;
}

bool is_configuration_blocker(const Error& blocker) {
  return blocker.code == ErrorCode::kInvalidServerUrl ||
         blocker.code == ErrorCode::kUploadConfigurationInvalid;
}

void Schedule::set_slot(std::optional<int64_t> slot) {
  next_slot_ = slot;
  slot_changed_ = true;
}

void Schedule::granted(int64_t now) {
  set_slot(first_slot(now, interval_ns_, rng_));
}

void Schedule::revoked() {
  set_slot(std::nullopt);
  failures_ = 0;
}

bool Schedule::destination_changed(const std::string& server_base, const std::string& environment) {
  if (!paused_ || (server_base == paused_->server_base && environment == paused_->environment))
    return false;
  paused_.reset();
  return true;
}

Plan Schedule::plan(int64_t now, const std::optional<Error>& blocker, bool forced_waiting) {
  Plan plan;
  const bool was_due = due(now);
  if (blocker) {
    plan.configuration_blocked = is_configuration_blocker(*blocker);
    if (blocker->code == ErrorCode::kUploadConfigurationInvalid && !paused_) {
      // No event leaves, but the slots go on: at each one recorder.conf is read again,
      // so a fix takes effect at the next slot at the latest (a forced upload: at once).
      if (!next_slot_) set_slot(first_slot(now, interval_ns_, rng_));
      if (was_due) set_slot(upload::next_slot(now, interval_ns_, kDefaultJitterFraction, rng_));
      plan.action = Plan::Action::Sleep;
      plan.wake_at = *next_slot_;
      plan.state = UploadState::kPaused;
      return plan;
    }
    plan.action = Plan::Action::Stop;
    plan.state = plan.configuration_blocked                    ? UploadState::kPaused
                 : blocker->code == ErrorCode::kNetworkMetered ? UploadState::kMetered
                                                               : UploadState::kOffline;
    return plan;
  }
  if (forced_waiting) {
    plan.action = Plan::Action::StartForced;
    plan.state = UploadState::kUploading;
    return plan;
  }
  if (paused_) {
    // The server said the destination is wrong: no slot until it changes, or until a
    // forced upload shows it works again.
    if (next_slot_) set_slot(std::nullopt);
    plan.action = Plan::Action::Stop;
    plan.state = UploadState::kPaused;
    return plan;
  }
  if (!next_slot_) set_slot(first_slot(now, interval_ns_, rng_));
  if (is_due(now, *next_slot_)) {
    plan.action = Plan::Action::StartBackground;
    plan.state = UploadState::kUploading;
    return plan;
  }
  plan.action = Plan::Action::Sleep;
  plan.wake_at = *next_slot_;
  plan.state = failures_ > 0 ? UploadState::kRetrying : UploadState::kIdle;
  return plan;
}

SessionEnd Schedule::session_finished(int64_t now, Outcome outcome,
                                      std::optional<int64_t> retry_after_ns,
                                      const std::string& server_base,
                                      const std::string& environment) {
  SessionEnd end;
  switch (outcome) {
    case Outcome::Success:
    case Outcome::SetAside:
      failures_ = 0;
      set_slot(upload::next_slot(now, interval_ns_, kDefaultJitterFraction, rng_));
      break;
    case Outcome::Retry: {
      const int64_t delay = kBackoff.next_delay(failures_, rng_, retry_after_ns);
      ++failures_;
      set_slot(now + delay);
      break;
    }
    case Outcome::Fatal:
      ++failures_;
      set_slot(upload::next_slot(now, interval_ns_, kDefaultJitterFraction, rng_));
      break;
    case Outcome::Pause:
      failures_ = 0;
      end.pause_started = !paused_;
      paused_ = Pause{server_base, environment};
      break;
  }
  if ((outcome == Outcome::Success || outcome == Outcome::SetAside) && paused_) {
    // Only a forced upload runs while paused: it reached the server, the pause is over.
    paused_.reset();
    end.pause_lifted = true;
  }
  return end;
}

}  // namespace metrics::upload
