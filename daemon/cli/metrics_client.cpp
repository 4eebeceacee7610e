// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics_client.hpp"

#include <optional>
#include <string>
#include <utility>

#include "errors.hpp"

namespace metrics::cli {

namespace {

constexpr int kPropertiesTimeoutMs = 25000;

// One D-Bus signal subscription, released when this goes out of scope.
class SignalSubscription {
 public:
  using Callback = std::function<void(GVariant*)>;

  SignalSubscription(GDBusConnection* connection, const char* sender, const char* interface,
                     const char* member, const char* path, Callback callback)
      : connection_(connection), state_(std::make_unique<State>()) {
    state_->callback = std::move(callback);
    // The well-known name as sender: the bus matches it against its current owner.
    id_ = g_dbus_connection_signal_subscribe(
        connection, sender, interface, member, path, nullptr, G_DBUS_SIGNAL_FLAGS_NONE,
        &SignalSubscription::on_signal, state_.get(), &SignalSubscription::on_released);
  }

  ~SignalSubscription() {
    g_dbus_connection_signal_unsubscribe(connection_, id_);
    // GDBus may still hold queued callbacks; they are freed (and `state_` released) only when
    // the main context runs again. Waiting here keeps `state_` alive until then and leaks
    // nothing.
    while (!state_->released) g_main_context_iteration(nullptr, TRUE);
  }

  SignalSubscription(const SignalSubscription&) = delete;
  SignalSubscription& operator=(const SignalSubscription&) = delete;

 private:
  struct State {
    Callback callback;
    bool released = false;
  };

  static void on_signal(GDBusConnection*, const gchar*, const gchar*, const gchar*, const gchar*,
                        GVariant* parameters, gpointer user_data) {
    static_cast<State*>(user_data)->callback(parameters);
  }
  static void on_released(gpointer user_data) { static_cast<State*>(user_data)->released = true; }

  GDBusConnection* connection_;
  std::unique_ptr<State> state_;
  guint id_ = 0;
};

struct PendingUpload {
  GMainLoopPtr loop;
  std::optional<Result<UploadSummary>> result;
};

void on_upload_reply(GObject* source, GAsyncResult* res, gpointer user_data) {
  auto* pending = static_cast<PendingUpload*>(user_data);
  GErrorOut error;
  GVariantPtr reply(g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, error.out()));
  if (!reply) {
    pending->result.emplace(error_from_gerror(error.get()));
  } else {
    guint64 events = 0;
    guint32 requests = 0;
    g_variant_get(reply.get(), "(tu)", &events, &requests);
    pending->result.emplace(UploadSummary{events, requests});
  }
  g_main_loop_quit(pending->loop.get());
}

}  // namespace

Error error_from_gerror(const GError* error) {
  if (!error) return named_error("org.freedesktop.DBus.Error.Failed", "unknown error");
  if (g_dbus_error_is_remote_error(error)) {
    GCharPtr name(g_dbus_error_get_remote_error(error));
    // Stripping changes the error, so work on a copy: the message as sent on the wire.
    GErrorPtr copy(g_error_copy(error));
    g_dbus_error_strip_remote_error(copy.get());
    return named_error(name.get(), copy->message);
  }
  // Local failures get the standard name a bus would have used for them.
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return named_error("org.freedesktop.DBus.Error.Timeout", error->message);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    return named_error("org.freedesktop.DBus.Error.Disconnected", error->message);
  return named_error("org.freedesktop.DBus.Error.Failed", error->message);
}

Result<MetricsClient> MetricsClient::connect_system_bus() {
  GErrorOut error;
  GObjectPtr<GDBusConnection> connection(g_bus_get_sync(G_BUS_TYPE_SYSTEM, nullptr, error.out()));
  if (!connection)
    return named_error(kNoBusErrorName, "cannot connect to the system bus: " + error.message());
  // A lost bus is an error to report, not a reason for GDBus to kill the process.
  g_dbus_connection_set_exit_on_close(connection.get(), FALSE);
  return MetricsClient(std::move(connection));
}

Result<GVariantPtr> MetricsClient::call(const char* interface, const char* method,
                                        GVariant* parameters, const char* reply_type,
                                        int timeout_ms) const {
  GErrorOut error;
  GVariantPtr reply(g_dbus_connection_call_sync(
      connection_.get(), kBusName, kObjectPath, interface, method, parameters,
      reply_type ? G_VARIANT_TYPE(reply_type) : nullptr,
      G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, timeout_ms, nullptr, error.out()));
  if (!reply) return error_from_gerror(error.get());
  return reply;
}

Result<std::string> MetricsClient::get_control_string(const char* property) const {
  auto reply = call("org.freedesktop.DBus.Properties", "Get",
                    g_variant_new("(ss)", kControlInterface, property), "(v)");
  if (!reply) return reply.error();
  GVariantPtr boxed(g_variant_get_child_value(reply->get(), 0));
  GVariantPtr value(g_variant_get_variant(boxed.get()));
  if (!g_variant_is_of_type(value.get(), G_VARIANT_TYPE_STRING))
    return named_error("org.freedesktop.DBus.Error.InvalidSignature",
                       std::string(property) + " is not a string");
  return std::string(g_variant_get_string(value.get(), nullptr));
}

RecorderFiles MetricsClient::files() const {
  RecorderFiles out;
  if (auto file = get_control_string("PermissionsFile")) out.permissions_file = *file;
  if (auto file = get_control_string("SettingsFile")) out.settings_file = *file;
  return out;
}

Result<GVariantPtr> MetricsClient::get_all_properties(const char* interface) const {
  GErrorOut error;
  GVariantPtr reply(g_dbus_connection_call_sync(
      connection_.get(), kBusName, kObjectPath, "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new("(s)", interface), G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
      kPropertiesTimeoutMs, nullptr, error.out()));
  if (!reply) return error_from_gerror(error.get());
  return GVariantPtr(g_variant_get_child_value(reply.get(), 0));
}

Result<UploadSummary> MetricsClient::upload(
    const std::function<void(const UploadProgress&)>& on_progress, int timeout_ms) const {
  // Subscribed before the call is sent, so no progress signal of this upload is missed.
  SignalSubscription progress(connection_.get(), kBusName, kControlInterface, "UploadProgress",
                              kObjectPath, [&on_progress](GVariant* parameters) {
                                if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ttu)")))
                                  return;
                                UploadProgress p;
                                guint64 sent = 0;
                                guint64 total = 0;
                                guint32 requests = 0;
                                g_variant_get(parameters, "(ttu)", &sent, &total, &requests);
                                p.sent_events = sent;
                                p.total_events = total;
                                p.requests = requests;
                                if (on_progress) on_progress(p);
                              });

  PendingUpload pending;
  pending.loop.reset(g_main_loop_new(nullptr, FALSE));
  // Interactive authorisation lets a polkit agent ask for a password if the policy wants one.
  g_dbus_connection_call(connection_.get(), kBusName, kObjectPath, kControlInterface, "Upload",
                         nullptr, G_VARIANT_TYPE("(tu)"),
                         G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, timeout_ms, nullptr,
                         &on_upload_reply, &pending);
  // The reply callback always runs (reply, error or timeout) and quits the loop.
  while (!pending.result) g_main_loop_run(pending.loop.get());
  return std::move(*pending.result);
}

}  // namespace metrics::cli
