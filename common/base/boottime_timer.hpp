// SPDX-License-Identifier: GPL-2.0-or-later
// A one-shot timer on CLOCK_BOOTTIME, as a main-loop source: unlike GLib's timeouts
// (CLOCK_MONOTONIC) it counts time spent suspended, so a slot missed while the machine
// slept fires right after it wakes, and it wakes the process only when it expires.
#pragma once

#include <cstdint>
#include <functional>

#include "glib_handles.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace metrics {

class BoottimeTimer {
 public:
  using Fired = std::function<void()>;
  explicit BoottimeTimer(Fired fired);
  ~BoottimeTimer();
  BoottimeTimer(const BoottimeTimer&) = delete;
  BoottimeTimer& operator=(const BoottimeTimer&) = delete;

  // Fires once at `boottime_ns` (now or in the past: on the next main-loop turn);
  // replaces any earlier arming.
  Result<void> arm_at(int64_t boottime_ns);
  void disarm();
  bool armed() const { return armed_; }

 private:
  static gboolean on_ready(gint fd, GIOCondition, gpointer self);

  Fired fired_;
  UniqueFd fd_;
  // Declared after fd_, so destroyed before the descriptor it watches is closed.
  GSourcePtr source_;
  bool armed_ = false;
};

}  // namespace metrics
