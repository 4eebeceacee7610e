// SPDX-License-Identifier: GPL-2.0-or-later
// The upload coordinator's wake-up (upload::WakeTimer) on the machine's CLOCK_BOOTTIME
// timer: the timer itself is common code the instrumentation uses too, and knows
// nothing of uploads.
#pragma once

#include <utility>

#include "boottime_timer.hpp"
#include "upload_io.hpp"

namespace metrics::net {

class UploadWakeTimer final : public upload::WakeTimer {
 public:
  explicit UploadWakeTimer(BoottimeTimer::Fired fired) : timer_(std::move(fired)) {}
  Result<void> arm_at(int64_t boottime_ns) override { return timer_.arm_at(boottime_ns); }
  void disarm() override { timer_.disarm(); }

 private:
  BoottimeTimer timer_;
};

}  // namespace metrics::net
