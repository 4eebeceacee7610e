// SPDX-License-Identifier: GPL-2.0-or-later
// An upload session's next step as a GLib main-loop source: an idle source for "now"
// (bus calls already waiting get their turn first), a timeout source for a delay.
#pragma once

#include <cstdint>
#include <functional>

#include "glib_handles.hpp"
#include "upload_io.hpp"

namespace metrics::net {

class MainLoopStepTimer final : public upload::StepTimer {
 public:
  MainLoopStepTimer() = default;
  MainLoopStepTimer(const MainLoopStepTimer&) = delete;
  MainLoopStepTimer& operator=(const MainLoopStepTimer&) = delete;

  void schedule(int64_t delay_ns, std::function<void()> step) override;

 private:
  static gboolean on_step(gpointer self);

  std::function<void()> step_;
  GSourcePtr source_;
};

}  // namespace metrics::net
