// SPDX-License-Identifier: GPL-2.0-or-later
// Refusals answered late on purpose. A caller that loops on a call refused for its rate
// (Control1.GetQueuedEvents past its bucket) would otherwise get its answer at once and
// call again, thousands of times a second: each round trip costs dbus-daemon and the
// recorder's one thread, and so every other user's events. Held until the caller's bucket
// would admit it again, the same loop sleeps instead. What is held is bounded per uid and
// in all; past that a refusal is answered at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>

#include "clock.hpp"
#include "glib_handles.hpp"
#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class HeldRefusals {
 public:
  static constexpr size_t kMaxPerUid = 32;
  static constexpr size_t kMaxHeld = 4096;

  explicit HeldRefusals(const Clock& clock) : clock_(clock) {}
  HeldRefusals(const HeldRefusals&) = delete;
  HeldRefusals& operator=(const HeldRefusals&) = delete;

  // Answers `call` (from `uid`) with `error` in `delay_ns`, or at once when nothing may wait
  // or too much already waits. Returns what a method handler returns.
  int refuse(sd_bus_message* call, uint32_t uid, Error error, int64_t delay_ns);
  size_t held() const { return held_.size(); }

 private:
  struct Held {
    MessagePtr call;
    uint32_t uid;
    Error error;
  };
  static gboolean on_due(gpointer self);
  void answer_due();
  void arm();

  const Clock& clock_;
  // By monotonic due time.
  std::multimap<int64_t, Held> held_;
  std::unordered_map<uint32_t, size_t> held_per_uid_;
  // Armed only while something is held: idle, the recorder never wakes for this.
  GSourcePtr timer_;
  int64_t timer_due_ns_ = 0;
};

}  // namespace metrics::bus
