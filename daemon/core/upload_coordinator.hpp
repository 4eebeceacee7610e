// SPDX-License-Identifier: GPL-2.0-or-later
// When uploads happen: only while uploading is granted, the network is up and (unless
// allowed) not metered; at jittered slots of the upload interval; after a transient
// failure with exponential backoff; and at once when asked (UploadEvents). Between slots
// the daemon sleeps: one CLOCK_BOOTTIME timer, nothing polled. While uploading is not
// granted it opens no connection and resolves no name: no session (and no HTTP client)
// exists then. Nor while a setting that decides where bytes go is unusable (server URL,
// ProxyUrl, TrustFile, an unreadable recorder.conf): the state is then "paused" and the
// status says why. When the server says the destination is wrong (Outcome::Pause), no
// further slot is planned until the server URL or environment changes or a forced upload
// succeeds.
//
// The decisions are upload_schedule.hpp's (Schedule, session_blocker); this carries them
// out and keeps the status. The network state, the wake-up timer and the sessions'
// transport come through upload_io.hpp's interfaces, which the daemon implements in
// daemon/net (UploadScheduler) and unit tests fake.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger.hpp"
#include "recorder.hpp"
#include "settings.hpp"
#include "upload_batch.hpp"
#include "upload_io.hpp"
#include "upload_policy.hpp"
#include "upload_schedule.hpp"
#include "upload_session.hpp"

namespace metrics {

struct UploadStatus {
  UploadState state = UploadState::kDisabled;
  int64_t last_time_wall_ns = 0;  // end of the last session; 0 = none yet
  // The last session's outcome: nullopt = none yet; success, or the error's code.
  std::optional<Result<void>> last_result;
  std::string last_message;
  int64_t next_time_wall_ns = 0;  // the next slot; 0 = none planned
};

class UploadCoordinator {
 public:
  using Reply = std::function<void(Result<SessionProgress>)>;

  // `network`, `timer` and `session_io` outlive it; whoever owns them calls wake() when
  // the network changes or the timer fires.
  UploadCoordinator(Recorder& recorder, Ledger& ledger, config::RecorderSettings settings,
                    BatchContext context, upload::Rng rng, upload::NetworkMonitor& network,
                    upload::WakeTimer& timer, upload::SessionIo& session_io);
  ~UploadCoordinator();
  UploadCoordinator(const UploadCoordinator&) = delete;
  UploadCoordinator& operator=(const UploadCoordinator&) = delete;

  // The network may have changed, or the wake-up timer fired: decide again.
  void wake() { reschedule(); }

  // Uploading granted or not, and where to (resolved base URL, or why it is unusable).
  // Withdrawing the grant cancels a running session at once (nothing more is sent or
  // written to the ledger) and fails the callers waiting for it. Not granted with a
  // "ConfigurationInvalid" error (the permissions file is unusable): state "paused" with
  // that message. A base or environment other than the one the server refused ends a
  // pause.
  void set_permission(bool granted, Result<std::string> server_base,
                      const std::string& environment);

  // Where the upload-related keys of recorder.conf come from (ProxyUrl, TrustFile,
  // AllowMeteredUploads, UploadMaxRequestBytes, UploadRequestTimeoutSeconds,
  // TimestampGranularitySeconds and the upload problem): read again before each session
  // and each forced upload, so fixing the file needs no restart. Unset: the constructor's.
  void set_settings_source(std::function<config::RecorderSettings()> source) {
    settings_source_ = std::move(source);
  }
  // recorder.conf changed: its upload keys are read again now (unless a session runs,
  // which keeps what it started with), so the status shows at once whether uploads are
  // blocked.
  void settings_changed();

  // Uploads the whole queue now (a forced session) and replies when done, or at once
  // with the reason it cannot: "UploadingDisabled", "NetworkUnavailable",
  // "NetworkMetered", "UploadConfigurationInvalid", the server URL's error. Allowed while
  // paused by the server: it is how a person checks a fix. Callers arriving during a session share
  // the next forced one (or the running one, if forced).
  void upload_now(Reply reply);

  const UploadStatus& status() const { return status_; }

  std::function<void()> on_status_changed;
  std::function<void(const SessionProgress&)> on_progress;
  std::function<void(int priority, const std::string& message)> on_log;

 private:
  void reschedule();
  void start_session(bool forced);
  void session_done(SessionResult result);
  void fail_waiters(const Error& error);
  std::optional<Error> blocker() const;  // why no session may start now (session_blocker)
  void apply_slot_change();              // NextUploadTime follows the schedule's slot
  void refresh_settings();               // the upload keys of recorder.conf, again
  void set_state(UploadState state);
  void log(int priority, const std::string& message);
  int64_t now_boottime() const { return recorder_.clock().boottime_ns(); }

  Recorder& recorder_;
  Ledger& ledger_;
  config::RecorderSettings settings_;
  BatchContext context_;
  upload::Rng rng_;
  upload::NetworkMonitor& network_;
  upload::WakeTimer& timer_;
  upload::SessionIo& session_io_;
  upload::Schedule schedule_;

  bool granted_ = false;
  std::optional<std::string> server_base_;
  std::string url_problem_;
  std::string environment_;
  std::string permissions_problem_;  // set while not granted because the file is unusable
  std::function<config::RecorderSettings()> settings_source_;
  // The last session's message. LastUploadMessage shows a configuration problem instead
  // while that pauses uploading, and this again once the problem is fixed.
  std::string session_message_;

  std::unique_ptr<UploadSession> session_;
  std::vector<Reply> running_waiters_;  // share the running (forced) session
  std::vector<Reply> next_waiters_;     // want a forced session after the running one
  UploadStatus status_;
};

}  // namespace metrics
