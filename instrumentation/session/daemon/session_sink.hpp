// SPDX-License-Identifier: GPL-2.0-or-later
// Where the session collector's events go: libmetrics, as for any application, so the
// recorder applies consent and the registry (with its allowed values) to them and this
// process keeps no event data. The only file that talks to libmetrics.
#pragma once

#include <eosmetrics/eosmetrics.h>

#include <string>

#include "glib_handles.hpp"

namespace metrics::instrumentation::session {

// A running IDE-usage timer; stopped (its time handed to the recorder) when this goes.
class AppTimer {
 public:
  AppTimer() = default;
  explicit AppTimer(EmtrAggregateTimer* timer) : timer_(timer) {}
  AppTimer(AppTimer&&) noexcept = default;
  AppTimer& operator=(AppTimer&& other) noexcept;
  ~AppTimer() { stop(); }

  void stop();

 private:
  GObjectPtr<EmtrAggregateTimer> timer_;
};

class SessionSink {
 public:
  SessionSink();

  // The daily IDE-usage timer of `application` (a listed desktop file ID).
  AppTimer start_ide_timer(const std::string& application);
  // The Toolbx event; `payload` (a(ssu)) is not consumed.
  void record_toolbx(GVariant* payload);

 private:
  EmtrEventRecorder* recorder_;  // libmetrics' default recorder, kept for the process
};

}  // namespace metrics::instrumentation::session
