// SPDX-License-Identifier: GPL-2.0-or-later
// The Toolbx event, once a day per user: when the day's deadline has passed (the daily
// schedule of the instrumentation daemon, kept in the collector's state directory), run
// `podman ps --all --filter label=com.github.containers.toolbox=true --format json`,
// count the containers that ran by image, save the next deadline, then record. The one
// wake-up is a CLOCK_BOOTTIME timer at the deadline.
//
// No podman installed: Toolbx cannot be used, and the empty list is sent. podman failing,
// hanging past the timeout or printing something that is not its JSON: nothing is sent,
// the journal says why, and the next try is an hour later.
#pragma once

#include <gio/gio.h>

#include "boottime_timer.hpp"
#include "glib_handles.hpp"
#include "schedule_store.hpp"
#include "session_options.hpp"
#include "session_registry.hpp"
#include "session_sink.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation::session {

inline constexpr int64_t kToolbxRetryNs = int64_t{3600} * 1'000'000'000;

class ToolbxDaily {
 public:
  ToolbxDaily(const SessionOptions& options, const SourceTree& tree, ScheduleStore& schedule,
              SessionSink& sink, ValueSet distributions);
  ~ToolbxDaily();
  ToolbxDaily(const ToolbxDaily&) = delete;
  ToolbxDaily& operator=(const ToolbxDaily&) = delete;

  // Inactive: no timer, and a podman run in progress is killed.
  void set_active(bool active);

 private:
  void check();
  void podman_done(Result<std::string> output);
  void arm_at(int64_t boottime_ns);

  const SessionOptions& options_;
  const SourceTree& tree_;
  ScheduleStore& schedule_;
  SessionSink& sink_;
  ValueSet distributions_;
  BoottimeTimer wake_up_;
  GObjectPtr<GCancellable> running_;  // the podman run in progress
  bool active_ = false;
};

}  // namespace metrics::instrumentation::session
