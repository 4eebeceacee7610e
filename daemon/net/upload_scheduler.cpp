// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_scheduler.hpp"

#include <malloc.h>
#include <syslog.h>

#include "original_messages.hpp"

namespace metrics::net {

using upload::Outcome;

UploadScheduler::UploadScheduler(Recorder& recorder, Ledger& ledger,
                                 const config::RecorderSettings& settings, BatchContext context,
                                 upload::Rng rng)
    : recorder_(recorder),
      ledger_(ledger),
      settings_(settings),
      context_(std::move(context)),
      rng_(std::move(rng)),
      network_([this] { reschedule(); }),
      timer_([this] { reschedule(); }) {}

UploadScheduler::~UploadScheduler() {
  // Destroying a running session cancels its request; nobody is left to answer waiters.
  session_.reset();
}

void UploadScheduler::log(int priority, const std::string& message) {
  if (on_log) on_log(priority, message);
}

void UploadScheduler::set_state(const std::string& state) {
  if (status_.state == state) return;
  status_.state = state;
  if (on_status_changed) on_status_changed();
}

void UploadScheduler::set_next_slot(int64_t boottime_ns) {
  next_slot_ = boottime_ns;
  status_.next_time_wall_ns = recorder_.clock().realtime_ns() + (boottime_ns - now_boottime());
}

void UploadScheduler::set_permission(bool granted, Result<std::string> server_base,
                                     const std::string& environment) {
  interval_ns_ = upload::upload_interval_ns(settings_, environment);
  environment_ = environment;
  if (server_base) {
    server_base_ = *server_base;
    url_problem_.clear();
  } else {
    server_base_.reset();
    url_problem_ = server_base.error().message;
  }
  if (paused_ && granted && server_base_ &&
      (*server_base_ != paused_->server_base || environment != paused_->environment)) {
    paused_.reset();
    log(LOG_INFO, "the upload destination changed to " + *server_base_ + " (" + environment +
                      "); uploads resume");
    // The refusal stays the last result, but its advice (fix the URL) is done.
    if (status_.last_result == "UploadDestinationWrong")
      session_message_ +=
          "; since then the upload destination changed to " + *server_base_ + ": uploading resumed";
  }
  if (!granted) {
    const bool was_granted = granted_;
    granted_ = false;
    permissions_problem_ = !server_base && server_base.error().code == "ConfigurationInvalid"
                               ? server_base.error().message
                               : std::string();
    if (session_) {
      session_.reset();  // cancels the request in flight; nothing more is written
      log(LOG_INFO, "uploading switched off; the upload in progress was cancelled");
    }
    fail_waiters(Error{"UploadingDisabled",
                       original::uploading_disabled("It was switched off during the upload.")});
    timer_.disarm();
    next_slot_.reset();
    status_.next_time_wall_ns = 0;
    failures_ = 0;
    if (was_granted && on_status_changed) on_status_changed();
    reschedule();
    return;
  }
  permissions_problem_.clear();
  if (!granted_) {
    granted_ = true;
    // A random phase: machines switched on together do not upload together.
    set_next_slot(upload::first_slot(now_boottime(), interval_ns_, rng_));
  }
  reschedule();
  if (on_status_changed) on_status_changed();
}

void UploadScheduler::refresh_settings() {
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

void UploadScheduler::settings_changed() {
  if (session_) return;
  refresh_settings();
  reschedule();
  if (on_status_changed) on_status_changed();
}

std::optional<Error> UploadScheduler::blocker() const {
  if (!granted_) {
    if (!permissions_problem_.empty()) return Error{"ConfigurationInvalid", permissions_problem_};
    return Error{"UploadingDisabled", original::uploading_disabled("It is not enabled.")};
  }
  if (!server_base_) return Error{"InvalidServerUrl", url_problem_};
  if (!settings_.upload_problem.empty())
    return Error{"UploadConfigurationInvalid", settings_.upload_problem};
  if (!network_.available()) {
    return Error{"NetworkUnavailable", "the network is not available; events stay queued"};
  }
  if (network_.metered() && !settings_.allow_metered_uploads) {
    return Error{"NetworkMetered",
                 "the connection is metered and AllowMeteredUploads is off; events stay queued"};
  }
  return std::nullopt;
}

void UploadScheduler::reschedule() {
  // What the last session said, unless a configuration problem below pauses uploading.
  status_.last_message = session_message_;
  if (session_) {
    set_state("uploading");
    return;
  }
  if (!granted_) {
    if (!permissions_problem_.empty()) {
      status_.last_message = permissions_problem_;
      set_state("paused");
    } else {
      set_state("disabled");
    }
    return;
  }
  // recorder.conf is read again before every session: a fixed ProxyUrl counts at once.
  const bool due = next_slot_ && upload::is_due(now_boottime(), *next_slot_);
  if (due || !next_waiters_.empty()) refresh_settings();
  if (auto why = blocker()) {
    const bool configuration =
        why->code == "InvalidServerUrl" || why->code == "UploadConfigurationInvalid";
    if (configuration) {
      status_.last_message = why->message;
      std::vector<Reply> waiters = std::move(next_waiters_);
      next_waiters_.clear();
      for (Reply& reply : waiters) reply(*why);
    }
    if (why->code == "UploadConfigurationInvalid" && !paused_) {
      // No event leaves, but the slots go on: at each one recorder.conf is read again,
      // so a fix takes effect at the next slot at the latest (a forced upload: at once).
      if (!next_slot_) set_next_slot(upload::first_slot(now_boottime(), interval_ns_, rng_));
      if (due)
        set_next_slot(
            upload::next_slot(now_boottime(), interval_ns_, upload::kDefaultJitterFraction, rng_));
      if (auto armed = timer_.arm_at(*next_slot_); !armed) log(LOG_ERR, armed.error().message);
      set_state("paused");
      return;
    }
    timer_.disarm();
    set_state(configuration ? "paused" : why->code == "NetworkMetered" ? "metered" : "offline");
    return;
  }
  if (!next_waiters_.empty()) {
    running_waiters_ = std::move(next_waiters_);
    next_waiters_.clear();
    start_session(true);
    return;
  }
  if (paused_) {
    // The server said the destination is wrong: no slot until it changes, or until a
    // forced upload (upload_now) shows it works again.
    timer_.disarm();
    next_slot_.reset();
    status_.next_time_wall_ns = 0;
    set_state("paused");
    return;
  }
  if (!next_slot_) set_next_slot(upload::first_slot(now_boottime(), interval_ns_, rng_));
  if (upload::is_due(now_boottime(), *next_slot_)) {
    start_session(false);
    return;
  }
  if (auto armed = timer_.arm_at(*next_slot_); !armed) log(LOG_ERR, armed.error().message);
  set_state(failures_ > 0 ? "retrying" : "idle");
}

void UploadScheduler::upload_now(Reply reply) {
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

void UploadScheduler::start_session(bool forced) {
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
      recorder_, ledger_, std::move(config), rng_,
      [this](const SessionProgress& progress) {
        if (on_progress) on_progress(progress);
      },
      [this](SessionResult result) { session_done(std::move(result)); });
  session_->on_warning = [this](const std::string& message) { log(LOG_WARNING, message); };
  timer_.disarm();
  set_state("uploading");
  session_->start();
}

void UploadScheduler::fail_waiters(const Error& error) {
  std::vector<Reply> waiters = std::move(running_waiters_);
  running_waiters_.clear();
  for (Reply& r : next_waiters_) waiters.push_back(std::move(r));
  next_waiters_.clear();
  for (Reply& reply : waiters) reply(error);
}

void UploadScheduler::session_done(SessionResult result) {
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
    status_.last_result = result.error->code;
    session_message_ = result.error->message;
    if (p.requests > 0)
      session_message_ +=
          " (" + events_in_requests() + (p.requests == 1 ? " was" : " were") + " uploaded before)";
  } else {
    status_.last_result = "success";
    session_message_ = "uploaded " + events_in_requests();
  }
  status_.last_message = session_message_;
  log(result.error ? LOG_WARNING : LOG_INFO,
      "upload to " + server_base_.value_or("") + ": " + status_.last_message);

  switch (result.outcome) {
    case Outcome::Success:
    case Outcome::SetAside:
      failures_ = 0;
      set_next_slot(upload::next_slot(now, interval_ns_, upload::kDefaultJitterFraction, rng_));
      break;
    case Outcome::Retry: {
      const int64_t delay = upload::Backoff{}.next_delay(failures_, rng_, result.retry_after_ns);
      ++failures_;
      set_next_slot(now + delay);
      break;
    }
    case Outcome::Fatal:
      ++failures_;
      set_next_slot(upload::next_slot(now, interval_ns_, upload::kDefaultJitterFraction, rng_));
      break;
    case Outcome::Pause:
      failures_ = 0;
      if (!paused_)
        log(LOG_WARNING, "uploads to " + server_base_.value_or("") +
                             " are paused: the server refused the destination; they resume "
                             "when server_url or environment changes, or when a forced upload "
                             "(metricsctl upload) succeeds");
      paused_ = Pause{server_base_.value_or(""), environment_};
      break;
  }
  if ((result.outcome == Outcome::Success || result.outcome == Outcome::SetAside) && paused_) {
    // Only a forced upload runs while paused: it reached the server, the pause is over.
    paused_.reset();
    log(LOG_INFO,
        "a forced upload to " + server_base_.value_or("") + " went through; uploads resume");
  }

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

}  // namespace metrics::net
