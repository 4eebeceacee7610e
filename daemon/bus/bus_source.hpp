// SPDX-License-Identifier: GPL-2.0-or-later
// Attaches an sd-bus connection to a GLib main context as a GSource, so the daemon
// has one thread and one loop. After each dispatch (a batch of messages) the
// `after_batch` hook runs: the recorder commits there and then sends its replies.
#pragma once

#include <functional>

#include "glib_handles.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class BusSource {
 public:
  BusSource(sd_bus* bus, GMainContext* context, std::function<void()> after_batch);
  ~BusSource();
  BusSource(const BusSource&) = delete;
  BusSource& operator=(const BusSource&) = delete;

  // Set when the connection failed and the daemon must exit.
  bool disconnected() const { return disconnected_; }
  void set_on_disconnect(std::function<void()> f) { on_disconnect_ = std::move(f); }

 private:
  struct Source;
  static gboolean prepare(GSource* source, gint* timeout);
  static gboolean check(GSource* source);
  static gboolean dispatch(GSource* source, GSourceFunc, gpointer);
  void update_poll();
  bool process_batch(int& processed);
  bool gather_batch();

  sd_bus* bus_;
  GSourcePtr source_;
  GPollFD pollfd_{};
  std::function<void()> after_batch_;
  std::function<void()> on_disconnect_;
  bool disconnected_ = false;
};

}  // namespace metrics::bus
