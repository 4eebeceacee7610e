// SPDX-License-Identifier: GPL-2.0-or-later
// The upload scheduler's decisions, without I/O: given the time (CLOCK_BOOTTIME), what
// blocks uploading and whether a forced upload waits, whether to start a session
// (forced or background), to sleep until a slot, or to stop planning. After a session,
// when the next slot is (the interval with jitter; a backoff, at least the server's
// Retry-After, after a transient failure) and whether uploading pauses because the server
// refused the destination (fail closed: no slot until the server URL or environment
// changes, or a forced upload succeeds). UploadCoordinator carries the decisions out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "result.hpp"
#include "upload_policy.hpp"
#include "upload_state.hpp"

namespace metrics::upload {

// What may stop a session from starting, as plain values.
struct Conditions {
  bool granted = false;
  std::string permissions_problem;  // not granted because the permissions file is unusable
  bool has_server_base = false;
  std::string url_problem;     // why the server URL is unusable
  std::string upload_problem;  // recorder.conf's upload keys are unusable
  bool network_available = false;
  bool network_metered = false;
  bool allow_metered = false;
};

// Why no session may start now (nullopt: one may). Codes: ConfigurationInvalid,
// UploadingDisabled, InvalidServerUrl, UploadConfigurationInvalid, NetworkUnavailable,
// NetworkMetered.
std::optional<Error> session_blocker(const Conditions& conditions);
// The destination or recorder.conf is unusable (InvalidServerUrl,
// UploadConfigurationInvalid): the status is "paused" and shows the reason.
bool is_configuration_blocker(const Error& blocker);

// What to do while granted and no session runs.
struct Plan {
  enum class Action {
    StartForced,      // a forced upload waits and nothing blocks it
    StartBackground,  // the slot has come
    Sleep,            // arm the wake-up timer at `wake_at`
    Stop,             // disarm the timer: a change (network, settings, grant) wakes us
  };
  Action action = Action::Stop;
  int64_t wake_at = 0;  // with Sleep (boottime ns)
  // kPaused, kMetered, kOffline, kIdle or kRetrying; kUploading when starting.
  UploadState state = UploadState::kIdle;
  // A configuration blocker: the status shows its message and the forced uploads waiting
  // get it as their answer.
  bool configuration_blocked = false;
};

// How a session ended, as far as the schedule is concerned.
struct SessionEnd {
  bool pause_started = false;  // the server refused the destination just now
  bool pause_lifted = false;   // a (forced) session went through while paused
};

class Schedule {
 public:
  explicit Schedule(Rng rng) : rng_(std::move(rng)) {}

  void set_interval(int64_t interval_ns) { interval_ns_ = interval_ns; }
  int64_t interval_ns() const { return interval_ns_; }

  // Uploading became granted: a random phase, so machines switched on together do not
  // upload together.
  void granted(int64_t now);
  // Uploading is no longer granted: no slot, no failures counted.
  void revoked();
  // The granted destination is now `server_base` in `environment`: a destination other
  // than the one the server refused ends the pause (true then).
  bool destination_changed(const std::string& server_base, const std::string& environment);

  // True when the planned slot has come (recorder.conf is read again before deciding).
  bool due(int64_t now) const { return next_slot_ && is_due(now, *next_slot_); }
  // The decision while granted and idle; `blocker` is session_blocker() of the moment.
  Plan plan(int64_t now, const std::optional<Error>& blocker, bool forced_waiting);
  // A session ended with `outcome` at `now` (`retry_after_ns`: the server's, with Retry);
  // the next slot is planned from now, not from the slot it was due at.
  SessionEnd session_finished(int64_t now, Outcome outcome, std::optional<int64_t> retry_after_ns,
                              const std::string& server_base, const std::string& environment);

  std::optional<int64_t> next_slot() const { return next_slot_; }
  bool paused() const { return paused_.has_value(); }
  unsigned failures() const { return failures_; }
  // True once after each change of next_slot() (the status shows the slot's wall time).
  bool take_slot_change() {
    const bool changed = slot_changed_;
    slot_changed_ = false;
    return changed;
  }

  // Backoff of background sessions after a transient failure.
  static constexpr Backoff kBackoff{};

 private:
  void set_slot(std::optional<int64_t> slot);

  Rng rng_;
  int64_t interval_ns_ = kProductionIntervalNs;
  std::optional<int64_t> next_slot_;  // boottime ns
  bool slot_changed_ = false;
  unsigned failures_ = 0;  // consecutive failed background sessions
  // Set while the server refused the destination (Outcome::Pause): the base and
  // environment it refused, so that only a change of them ends the pause.
  struct Pause {
    std::string server_base;
    std::string environment;
  };
  std::optional<Pause> paused_;
};

}  // namespace metrics::upload
