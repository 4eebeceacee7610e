// SPDX-License-Identifier: GPL-2.0-or-later
// What uploading needs from the outside world, as narrow interfaces: whether the network
// is up (and metered), a wake-up at a CLOCK_BOOTTIME instant, a session's next step on
// the main loop, and a transport that PUTs one request at a time. The daemon implements
// them in daemon/net (GIO's network monitor, a timerfd, GLib sources, the upload-helper
// process); unit tests fake them, so the upload logic in core runs without I/O.
//
// None of these calls back synchronously from inside a call made on it: an answer, a
// wake-up or a step always comes later, from the main loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "result.hpp"
#include "upload_policy.hpp"
#include "upload_transport_settings.hpp"

namespace metrics::upload {

// Whether the machine is online and whether the connection is metered. Whoever owns it
// tells the scheduler when either may have changed (UploadCoordinator::wake).
class NetworkMonitor {
 public:
  virtual ~NetworkMonitor() = default;
  virtual bool available() const = 0;
  virtual bool metered() const = 0;
};

// One wake-up at an absolute CLOCK_BOOTTIME instant (counts suspend), at most one armed;
// its owner calls UploadCoordinator::wake when it fires.
class WakeTimer {
 public:
  virtual ~WakeTimer() = default;
  // Now or in the past: as soon as possible. Replaces any earlier arming.
  virtual Result<void> arm_at(int64_t boottime_ns) = 0;
  virtual void disarm() = 0;
};

// A session's next step: `step` runs once, `delay_ns` from now (0: on the next main-loop
// turn, after the calls already waiting). Scheduling again replaces the pending step;
// destroying the object drops it.
class StepTimer {
 public:
  virtual ~StepTimer() = default;
  virtual void schedule(int64_t delay_ns, std::function<void()> step) = 0;
};

// PUTs requests to the server, one at a time. Destroying it cancels the request in
// flight: its callback never runs.
class Transport {
 public:
  virtual ~Transport() = default;
  // What happened to the request, or an error when it was certainly not sent
  // ("UploadConfigurationInvalid": the settings cannot work; "UploadHelperFailed"...).
  using Done = std::function<void(Result<AttemptResult>)>;
  virtual void put(const std::string& url, const std::vector<uint8_t>& gzip_body, Done done) = 0;
};

// What one upload session opens: its transport (lazily, at the first request) and its
// step timer.
class SessionIo {
 public:
  virtual ~SessionIo() = default;
  virtual Result<std::unique_ptr<Transport>> open_transport(const TransportSettings& settings) = 0;
  virtual std::unique_ptr<StepTimer> new_step_timer() = 0;
};

}  // namespace metrics::upload
