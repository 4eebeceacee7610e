// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_step_timer.hpp"

#include <algorithm>

namespace metrics::net {

void MainLoopStepTimer::schedule(int64_t delay_ns, std::function<void()> step) {
  step_ = std::move(step);
  const auto ms = static_cast<guint>(std::clamp<int64_t>(delay_ns / 1'000'000, 0, G_MAXUINT));
  source_.reset(ms == 0 ? g_idle_source_new() : g_timeout_source_new(ms));
  g_source_set_callback(source_.get(), &MainLoopStepTimer::on_step, this, nullptr);
  g_source_attach(source_.get(), nullptr);
}

gboolean MainLoopStepTimer::on_step(gpointer self) {
  // The step may schedule the next one or destroy this timer (the session ended): it
  // runs from a copy of its own.
  std::function<void()> step = std::move(static_cast<MainLoopStepTimer*>(self)->step_);
  step();
  return G_SOURCE_REMOVE;
}

}  // namespace metrics::net
