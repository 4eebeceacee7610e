// SPDX-License-Identifier: GPL-2.0-or-later
// Follows whether a service has an owner on the bus (it may start after the daemon or
// restart underneath it). Callbacks are never called once this is gone.
#pragma once

#include <gio/gio.h>

#include <functional>

namespace metrics::instrumentation {

class NameWatch {
 public:
  using Callback = std::function<void()>;

  // Does not start the service: a watch must not activate anything.
  NameWatch(GDBusConnection* connection, const char* name, Callback appeared, Callback vanished);
  ~NameWatch();
  NameWatch(const NameWatch&) = delete;
  NameWatch& operator=(const NameWatch&) = delete;

 private:
  static void on_appeared(GDBusConnection*, const gchar*, const gchar*, gpointer self);
  static void on_vanished(GDBusConnection*, const gchar*, gpointer self);

  Callback appeared_;
  Callback vanished_;
  guint id_ = 0;
};

}  // namespace metrics::instrumentation
