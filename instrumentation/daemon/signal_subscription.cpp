// SPDX-License-Identifier: GPL-2.0-or-later
#include "signal_subscription.hpp"

namespace metrics::instrumentation {

SignalSubscription::SignalSubscription(GDBusConnection* connection, const char* sender,
                                       const char* path, const char* interface, const char* member,
                                       Handler handler)
    : connection_(share_object(connection)), handler_(std::move(handler)) {
  id_ = g_dbus_connection_signal_subscribe(connection, sender, interface, member, path, nullptr,
                                           G_DBUS_SIGNAL_FLAGS_NONE, &SignalSubscription::on_signal,
                                           this, nullptr);
}

SignalSubscription::~SignalSubscription() {
  g_dbus_connection_signal_unsubscribe(connection_.get(), id_);
}

void SignalSubscription::on_signal(GDBusConnection*, const gchar*, const gchar*, const gchar*,
                                   const gchar*, GVariant* parameters, gpointer self) {
  static_cast<SignalSubscription*>(self)->handler_(parameters);
}

}  // namespace metrics::instrumentation
