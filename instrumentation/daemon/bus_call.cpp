// SPDX-License-Identifier: GPL-2.0-or-later
#include "bus_call.hpp"

#include <memory>

namespace metrics::instrumentation {

namespace {

// Lives from the call until its completion, which adopts and frees it.
struct PendingCall {
  std::string description;  // "ListUsers on org.freedesktop.login1"
  ReplyHandler handler;
};

void on_call_done(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<PendingCall> call(static_cast<PendingCall*>(data));
  GErrorOut err;
  GVariantPtr reply(g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, err.out()));
  if (g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  if (!reply) {
    call->handler(
        Error{ErrorCode::kBusCallFailed, call->description + " failed: " + err.message()});
    return;
  }
  call->handler(std::move(reply));
}

}  // namespace

void call_method(GDBusConnection* connection, const BusTarget& target, const char* method,
                 GVariant* parameters, const char* reply_type, GCancellable* cancellable,
                 ReplyHandler handler, int timeout_ms) {
  auto call = std::make_unique<PendingCall>();
  call->description = std::string(method) + " on " + target.name;
  call->handler = std::move(handler);
  g_dbus_connection_call(connection, target.name, target.path, target.interface, method, parameters,
                         reply_type ? G_VARIANT_TYPE(reply_type) : nullptr, G_DBUS_CALL_FLAGS_NONE,
                         timeout_ms, cancellable, on_call_done, call.release());
}

void get_all_properties(GDBusConnection* connection, const BusTarget& target,
                        GCancellable* cancellable, PropertiesHandler handler, int timeout_ms) {
  const BusTarget properties{target.name, target.path, "org.freedesktop.DBus.Properties"};
  call_method(
      connection, properties, "GetAll", g_variant_new("(s)", target.interface), "(a{sv})",
      cancellable,
      [handler = std::move(handler)](Result<GVariantPtr> reply) {
        if (!reply) {
          handler(reply.error());
          return;
        }
        PropertyMap map;
        GVariantPtr dict(g_variant_get_child_value(reply->get(), 0));
        GVariantIter iter;
        g_variant_iter_init(&iter, dict.get());
        const gchar* name = nullptr;
        GVariant* value = nullptr;
        while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) map[name] = GVariantPtr(value);
        handler(std::move(map));
      },
      timeout_ms);
}

}  // namespace metrics::instrumentation
