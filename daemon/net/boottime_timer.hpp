// SPDX-License-Identifier: GPL-2.0-or-later
// A one-shot timer on CLOCK_BOOTTIME, as a main-loop source: unlike GLib's timeouts
// (CLOCK_MONOTONIC) it counts time spent suspended, so a slot missed while the machine
// slept fires right after it wakes, and it wakes the process only when it expires.
#pragma once

#include <cstdint>
#include <functional>

#include "glib_handles.hpp"
#include "result.hpp"
#include "upload_io.hpp"

namespace metrics::net {

class BoottimeTimer final : public upload::WakeTimer {
 public:
  using Fired = std::function<void()>;
  explicit BoottimeTimer(Fired fired);
  ~BoottimeTimer() override;
  BoottimeTimer(const BoottimeTimer&) = delete;
  BoottimeTimer& operator=(const BoottimeTimer&) = delete;

  // Fires once at `boottime_ns` (now or in the past: on the next main-loop turn);
  // replaces any earlier arming.
  Result<void> arm_at(int64_t boottime_ns) override;
  void disarm() override;
  bool armed() const { return armed_; }

 private:
  static gboolean on_ready(gint fd, GIOCondition, gpointer self);

  Fired fired_;
  int fd_ = -1;
  GSourcePtr source_;
  bool armed_ = false;
};

}  // namespace metrics::net
