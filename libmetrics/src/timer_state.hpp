// SPDX-License-Identifier: LGPL-2.1-or-later
// The life of one aggregate timer on the recorder, shared by the EmtrAggregateTimer and
// its StartAggregateTimer call: whichever of "the recorder answered" and "the
// application stopped or dropped the timer" comes last sends StopTimer, so a timer
// stopped before the answer arrived is still stopped on the recorder.
#pragma once

#include <glib.h>

#include <memory>
#include <mutex>
#include <string>

namespace emtr {

class TimerState : public std::enable_shared_from_this<TimerState> {
 public:
  // Queues StartAggregateTimer with `parameters` ("(uaybv)", sunk or floating).
  static std::shared_ptr<TimerState> start(GVariant* parameters);

  // Stops the timer once; later calls do nothing.
  void stop();

 private:
  enum class Phase { kStarting, kStopWhenStarted, kRunning, kStopped, kFailed };

  void started(GVariant* reply, const GError* error);
  static void send_stop(const std::string& path);

  std::mutex mutex_;
  Phase phase_ = Phase::kStarting;
  std::string path_;
};

}  // namespace emtr
