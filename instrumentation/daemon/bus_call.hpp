// SPDX-License-Identifier: GPL-2.0-or-later
// Asynchronous method calls on the system bus, for a daemon whose one main loop must
// never wait for another service. The reply handler runs from the main context; it is
// never called once the cancellable was cancelled, so an owner that cancels in its
// destructor may capture `this`.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <map>
#include <string>

#include "glib_handles.hpp"
#include "result.hpp"

namespace metrics::instrumentation {

struct BusTarget {
  const char* name;
  const char* path;
  const char* interface;
};

// Long enough for bus activation of a service (hostnamed, localed) on a slow boot.
inline constexpr int kBusCallTimeoutMs = 25'000;

using ReplyHandler = std::function<void(Result<GVariantPtr>)>;

// Error "BusCallFailed" names the method, the service and the bus's reason.
void call_method(GDBusConnection* connection, const BusTarget& target, const char* method,
                 GVariant* parameters, const char* reply_type, GCancellable* cancellable,
                 ReplyHandler handler, int timeout_ms = kBusCallTimeoutMs);

using PropertyMap = std::map<std::string, GVariantPtr>;
using PropertiesHandler = std::function<void(Result<PropertyMap>)>;

// org.freedesktop.DBus.Properties.GetAll of `target.interface`.
void get_all_properties(GDBusConnection* connection, const BusTarget& target,
                        GCancellable* cancellable, PropertiesHandler handler,
                        int timeout_ms = kBusCallTimeoutMs);

}  // namespace metrics::instrumentation
