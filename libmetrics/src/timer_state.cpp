// SPDX-License-Identifier: LGPL-2.1-or-later
#include "timer_state.hpp"

#include <utility>

#include "bus_names.hpp"
#include "transport.hpp"

namespace emtr {

std::shared_ptr<TimerState> TimerState::start(GVariant* parameters) {
  auto state = std::make_shared<TimerState>();
  OutgoingCall call;
  call.method = "StartAggregateTimer";
  call.parameters = metrics::adopt_variant(parameters);
  call.on_reply = [state](GVariant* reply, const GError* error) { state->started(reply, error); };
  if (!Transport::get().submit(std::move(call))) {
    std::lock_guard lock(state->mutex_);
    state->phase_ = Phase::kFailed;
  }
  return state;
}

void TimerState::started(GVariant* reply, const GError* error) {
  std::string stop_path;
  {
    std::lock_guard lock(mutex_);
    if (error != nullptr || reply == nullptr) {
      phase_ = Phase::kFailed;
      return;
    }
    const gchar* path = nullptr;
    g_variant_get(reply, "(&o)", &path);
    path_ = path;
    if (phase_ == Phase::kStopWhenStarted) {
      phase_ = Phase::kStopped;
      stop_path = path_;
    } else {
      phase_ = Phase::kRunning;
    }
  }
  if (!stop_path.empty()) send_stop(stop_path);
}

void TimerState::stop() {
  std::string stop_path;
  {
    std::lock_guard lock(mutex_);
    switch (phase_) {
      case Phase::kStarting:
        phase_ = Phase::kStopWhenStarted;
        return;
      case Phase::kRunning:
        phase_ = Phase::kStopped;
        stop_path = path_;
        break;
      case Phase::kStopWhenStarted:
      case Phase::kStopped:
      case Phase::kFailed:
        return;
    }
  }
  send_stop(stop_path);
}

void TimerState::send_stop(const std::string& path) {
  OutgoingCall call;
  call.interface = kTimerInterface;
  call.method = "StopTimer";
  call.object_path = path;
  // A recorder started after this one does not know the timer (the old instance saved
  // its time when it stopped): never start one for it, never resend to it.
  call.flags = G_DBUS_CALL_FLAGS_NO_AUTO_START;
  call.resend_when_unowned = false;
  Transport::get().submit(std::move(call));
}

}  // namespace emtr
