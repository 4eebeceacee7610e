// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_coordinator.hpp"

#include <malloc.h>
#include <syslog.h>

#include "original_messages.hpp"

namespace metrics {

UploadCoordinator::UploadCoordinator(Recorder& recorder, Ledger& ledger,
                                     config::RecorderSettings settings, BatchContext context,
                                     upload::Rng rng, upload::NetworkMonitor& network,
                                     upload::WakeTimer& timer, upload::SessionIo& session_io)
    : recorder_(recorder),
      ledger_(ledger),
      settings_(std::move(settings)),
      context_(std::move(context)),
      rng_(std::move(rng)),
      network_(network),
      timer_(timer),
      session_io_(session_io),
      schedule_(rng_) {}

UploadCoordinator::~UploadCoordinator() {
  // Destroying a running session cancels its request; nobody is left to answer waiters.
  session_.reset();
}

void UploadCoordinator::log(int priority, const std::string& message) {
  if (on_log) on_log(priority, message);
}

void UploadCoordinator::set_state(UploadState state) {
  if (status_.state == state) return;
  status_.state = state;
  if (on_status_changed) on_status_changed();
}

void UploadCoordinator::apply_slot_change() {
  if (!schedule_.take_slot_change()) return;
  const std::optional<int64_t> slot = schedule_.next_slot();
  status_.next_time_wall_ns =
      slot ? recorder_.clock().realtime_ns() + (*slot - now_boottime()) : int64_t{0};
}

void UploadCoordinator::set_permission(bool granted, Result<std::string> server_base,
                                       const std::string& environment) {
  schedule_.set_interval(upload::upload_interval_ns(settings_, environment));
  environment_ = environment;
  if (server_base) {
    server_base_ = *server_base;
    url_problem_.clear();
  } else {
    server_base_.reset();
    url_problem_ = server_base.error().message;
  }
  if (granted && server_base_ && schedule_.destination_changed(*server_base_, environment)) {
    log(LOG_INFO, "the upload destination changed to " + *server_base_ + " (" + environment +
                      "); uploads resume");
    // The refusal stays the last result, but its advice (fix the URL) is done.
    if (status_.last_result && !status_.last_result->ok() &&
        status_.last_result->error().code == ErrorCode::kUploadDestinationWrong)
      session_message_ +=
          "; since then the upload destination changed to " + *server_base_ + ": uploading resumed";
  }
  if (!granted) {
    const bool was_granted = granted_;
    granted_ = false;
    permissions_problem_ =
        !server_base && server_base.error().code == ErrorCode::kConfigurationInvalid
            ? server_base.error().message
            : std::string();
    if (session_) {
      session_.reset();  // cancels the request in flight; nothing more is written
      log(LOG_INFO, "uploading switched off; the upload in progress was cancelled");
    }
    fail_waiters(Error{ErrorCode::kUploadingDisabled,
                       original::uploading_disabled("It was switched off during the upload.")});
    timer_.disarm();
    schedule_.revoked();
    apply_slot_change();
    if (was_granted && on_status_changed) on_status_changed();
    reschedule();
    return;
  }
  permissions_problem_.clear();
  if (!granted_) {
    granted_ = true;
    schedule_.granted(now_boottime());
    apply_slot_change();
  }
  reschedule();
  if (on_status_changed) on_status_changed();
}

void UploadCoordinator::refresh_settings() {
  if (!settings_source_) return;
  const config::RecorderSettings fresh = settings_source_();
  if (fresh.upload_problem != settings_.upload_problem) {
    if (fresh.upload_problem.empty())
      log(LOG_INFO, "the upload settings of recorder.conf are usable again");
    else
      log(LOG_ERR, fresh.upload_problem);
  }
  settings_.upload_problem = fresh.upload_problem;
  settings_.proxy_url = fresh.proxy_url;
  settings_.trust_file = fresh.trust_file;
  settings_.allow_metered_uploads = fresh.allow_metered_uploads;
  settings_.upload_max_request_bytes = fresh.upload_max_request_bytes;
  settings_.upload_request_timeout_seconds = fresh.upload_request_timeout_seconds;
  settings_.timestamp_granularity_seconds = fresh.timestamp_granularity_seconds;
}

void UploadCoordinator::settings_changed() {
  if (session_) return;
  refresh_settings();
  reschedule();
  if (on_status_changed) on_status_changed();
}

std::optional<Error> UploadCoordinator::blocker() const {
  upload::Conditions c;
  c.granted = granted_;
  c.permissions_problem = permissions_problem_;
  c.has_server_base = server_base_.has_value();
  c.url_problem = url_problem_;
  c.upload_problem = settings_.upload_problem;
  // Asked only when it matters, as the scheduler always did.
  if (granted_ && server_base_ && settings_.upload_problem.empty()) {
    c.network_available = network_.available();
    c.network_metered = c.network_available && network_.metered();
  }
  c.allow_metered = settings_.allow_metered_uploads;
  return upload::session_blocker(c);
}

void UploadCoordinator::reschedule() {
  // What the last session said, unless a configuration problem below pauses uploading.
  status_.last_message = session_message_;
  if (session_) {
    set_state(UploadState::kUploading);
    return;
  }
  if (!granted_) {
    if (!permissions_problem_.empty()) {
      status_.last_message = permissions_problem_;
      set_state(UploadState::kPaused);
    } else {
      set_state(UploadState::kDisabled);
    }
    return;
  }
  // recorder.conf is read again before every session: a fixed ProxyUrl counts at once.
  const int64_t now = now_boottime();
  if (schedule_.due(now) || !next_waiters_.empty()) refresh_settings();
  const std::optional<Error> why = blocker();
  const upload::Plan plan = schedule_.plan(now, why, !next_waiters_.empty());
  apply_slot_change();
  if (plan.configuration_blocked) {
    status_.last_message = why->message;
    std::vector<Reply> waiters = std::move(next_waiters_);
    next_waiters_.clear();
    for (Reply& reply : waiters) reply(*why);
  }
  switch (plan.action) {
    case upload::Plan::Action::StartForced:
      running_waiters_ = std::move(next_waiters_);
      next_waiters_.clear();
      start_session(true);
      return;
    case upload::Plan::Action::StartBackground:
      start_session(false);
      return;
    case upload::Plan::Action::Sleep:
      if (auto armed = timer_.arm_at(plan.wake_at); !armed) log(LOG_ERR, armed.error().message);
      break;
    case upload::Plan::Action::Stop:
      timer_.disarm();
      break;
  }
  set_state(plan.state);
}

void UploadCoordinator::upload_now(Reply reply) {
  if (!session_) refresh_settings();
  if (auto why = blocker()) {
    reply(*why);
    reschedule();  // the status shows what a re-read recorder.conf says
    if (on_status_changed) on_status_changed();
    return;
  }
  if (session_) {
    (session_->forced() ? running_waiters_ : next_waiters_).push_back(std::move(reply));
    return;
  }
  running_waiters_.push_back(std::move(reply));
  start_session(true);
}

void UploadCoordinator::start_session(bool forced) {
  SessionConfig config;
  config.server_base = *server_base_;
  config.context = context_;
  config.max_request_bytes = settings_.upload_max_request_bytes;
  config.granularity_ns =
      static_cast<int64_t>(settings_.timestamp_granularity_seconds) * upload::kNsPerSecond;
  config.transport.proxy_url = settings_.proxy_url;
  config.transport.trust_file = settings_.trust_file;
  config.transport.timeout_seconds = settings_.upload_request_timeout_seconds;
  config.forced = forced;
  session_ = std::make_unique<UploadSession>(
      recorder_, ledger_, session_io_, std::move(config), rng_,
      [this](const SessionProgress& progress) {
        if (on_progress) on_progress(progress);
      },
      [this](SessionResult result) { session_done(std::move(result)); });
  session_->on_warning = [this](const std::string& message) { log(LOG_WARNING, message); };
  timer_.disarm();
  set_state(UploadState::kUploading);
  // What is about to leave (and be deleted once the server has it) is on disk first.
  if (auto synced = recorder_.store().sync_to_disk(); !synced)
    log(LOG_WARNING, synced.error().message);
  session_->start();
}

void UploadCoordinator::fail_waiters(const Error& error) {
  std::vector<Reply> waiters = std::move(running_waiters_);
  running_waiters_.clear();
  for (Reply& r : next_waiters_) waiters.push_back(std::move(r));
  next_waiters_.clear();
  for (Reply& reply : waiters) reply(error);
}

void UploadCoordinator::session_done(SessionResult result) {
  // Called from the session's last step: it may go now.
  std::unique_ptr<UploadSession> finished = std::move(session_);
  const SessionProgress& p = result.progress;
  const int64_t now = now_boottime();

  status_.last_time_wall_ns = recorder_.clock().realtime_ns();
  auto events_in_requests = [&p] {
    return std::to_string(p.sent_events) + (p.sent_events == 1 ? " event in " : " events in ") +
           std::to_string(p.requests) + (p.requests == 1 ? " request" : " requests");
  };
  if (result.error) {
    status_.last_result = *result.error;
    session_message_ = result.error->message;
    if (p.requests > 0)
      session_message_ +=
          " (" + events_in_requests() + (p.requests == 1 ? " was" : " were") + " uploaded before)";
  } else {
    status_.last_result = Ok();
    session_message_ = "uploaded " + events_in_requests();
  }
  status_.last_message = session_message_;
  log(result.error ? LOG_WARNING : LOG_INFO,
      "upload to " + server_base_.value_or("") + ": " + status_.last_message);

  const upload::SessionEnd end = schedule_.session_finished(
      now, result.outcome, result.retry_after_ns, server_base_.value_or(""), environment_);
  apply_slot_change();
  if (end.pause_started)
    log(LOG_WARNING, "uploads to " + server_base_.value_or("") +
                         " are paused: the server refused the destination; they resume "
                         "when server_url or environment changes, or when a forced upload "
                         "(metricsctl upload) succeeds");
  if (end.pause_lifted)
    log(LOG_INFO,
        "a forced upload to " + server_base_.value_or("") + " went through; uploads resume");

  std::vector<Reply> waiters = std::move(running_waiters_);
  running_waiters_.clear();
  for (Reply& reply : waiters) {
    if (result.error) {
      reply(*result.error);
    } else {
      reply(result.progress);
    }
  }
  reschedule();
  if (on_status_changed) on_status_changed();
  // A session's batches, bodies and TLS state are freed now, but glibc keeps the heap
  // they grew: hand it back, or the daemon idles at its upload peak until it exits.
  finished.reset();
  malloc_trim(0);
}

}  // namespace metrics
