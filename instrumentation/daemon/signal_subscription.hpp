// SPDX-License-Identifier: GPL-2.0-or-later
// One D-Bus signal subscription, removed when this goes away (after which the handler is
// never called).
#pragma once

#include <gio/gio.h>

#include <functional>

#include "glib_handles.hpp"

namespace metrics::instrumentation {

class SignalSubscription {
 public:
  using Handler = std::function<void(GVariant* parameters)>;

  // `sender` is a well-known name: GDBus follows its current owner.
  SignalSubscription(GDBusConnection* connection, const char* sender, const char* path,
                     const char* interface, const char* member, Handler handler);
  ~SignalSubscription();
  SignalSubscription(const SignalSubscription&) = delete;
  SignalSubscription& operator=(const SignalSubscription&) = delete;

 private:
  static void on_signal(GDBusConnection*, const gchar* sender, const gchar* path,
                        const gchar* interface, const gchar* member, GVariant* parameters,
                        gpointer self);

  GObjectPtr<GDBusConnection> connection_;
  Handler handler_;
  guint id_ = 0;
};

}  // namespace metrics::instrumentation
