// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport.hpp"

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>

namespace emtr {

namespace {

constexpr int kCallTimeoutMs = 25'000;
constexpr guint kFirstReconnectDelayMs = 100;
constexpr guint kMaxReconnectDelayMs = 10'000;
// Without an owner we wait for NameOwnerChanged; this is only a safety net.
constexpr guint kUnownedRetryMs = 2'000;
constexpr guint kLimitsRetryMs = 50;

gboolean dispatch_when_ready(GSource* source, GSourceFunc callback, gpointer data) {
  g_source_set_ready_time(source, -1);
  return callback(data);
}

GSourceFuncs kWakeSourceFuncs = {nullptr, nullptr, dispatch_when_ready, nullptr, nullptr, nullptr};

bool recorder_unowned(const GError* error) {
  return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
}

}  // namespace

struct Transport::Pending {
  Transport* transport;
  OutgoingCall call;
};

Transport& Transport::get() {
  // Intentionally never destroyed (see the header); reachable, so not a leak.
  static Transport& instance = *std::make_unique<Transport>(Key{}).release();
  return instance;
}

Transport::Transport(Key /*only get() constructs*/) : context_(g_main_context_new()) {
  wake_source_.reset(g_source_new(&kWakeSourceFuncs, sizeof(GSource)));
  g_source_set_callback(wake_source_.get(), on_wake, this, nullptr);
  g_source_set_name(wake_source_.get(), "emtr-wake");
  g_source_attach(wake_source_.get(), context_.get());
  std::thread([this] { run(); }).detach();
}

void Transport::run() {
  g_main_context_push_thread_default(context_.get());
  connect();
  metrics::GMainLoopPtr loop(g_main_loop_new(context_.get(), FALSE));
  g_main_loop_run(loop.get());
}

bool Transport::submit(OutgoingCall call) {
  return enqueue(std::move(call)).has_value();
}

std::optional<std::uint64_t> Transport::enqueue(OutgoingCall call) {
  bool wake = false;
  std::optional<std::uint64_t> seq;
  bool first_drop = false;
  {
    std::lock_guard lock(mutex_);
    wake = queue_.empty();
    seq = queue_.push(std::move(call));
    if (!seq) {
      ++dropped_;
      first_drop = !overflowing_;
      overflowing_ = true;
    }
  }
  if (!seq) {
    if (first_drop) {
      g_warning(
          "Metrics events arrive faster than the recorder takes them: %zu are "
          "waiting; newer events are dropped until the queue drains.",
          kMaxQueued);
    }
    return std::nullopt;
  }
  // The delivery thread drains the queue until it is empty or must wait (in-flight
  // bound, no owner, no connection), each of which wakes it again; so only a push into
  // an empty queue needs to wake it.
  if (wake) g_source_set_ready_time(wake_source_.get(), 0);
  return seq;
}

bool Transport::submit_and_wait(OutgoingCall call, std::chrono::milliseconds stall_timeout) {
  // A full queue drops the call: there is no answer to wait for.
  const std::optional<std::uint64_t> seq = enqueue(std::move(call));
  if (!seq) return false;
  const std::uint64_t undelivered = progress_.wait_through(*seq, stall_timeout);
  if (undelivered == 0) return true;
  g_warning(
      "The metrics recorder answered none of this process's calls for %lld ms: %" G_GUINT64_FORMAT
      " calls (this one included) are not delivered yet. They stay queued and are "
      "delivered if the process keeps running.",
      static_cast<long long>(stall_timeout.count()), undelivered);
  return false;
}

gboolean Transport::on_wake(gpointer self) {
  static_cast<Transport*>(self)->pump();
  return G_SOURCE_CONTINUE;
}

void Transport::connect() {
  metrics::GErrorOut error;
  metrics::GCharPtr address(
      g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, nullptr, error.out()));
  if (!address) {
    g_debug("No system bus address: %s", error.message().c_str());
    schedule_retry(reconnect_delay_ms_);
    return;
  }
  g_dbus_connection_new_for_address(
      address.get(),
      static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
      nullptr, nullptr, on_connected, this);
}

void Transport::on_connected(GObject* /*source*/, GAsyncResult* result, gpointer self) {
  auto* transport = static_cast<Transport*>(self);
  metrics::GErrorOut error;
  GDBusConnection* connection = g_dbus_connection_new_for_address_finish(result, error.out());
  if (connection == nullptr) {
    g_debug("Cannot connect to the system bus: %s", error.message().c_str());
    transport->reconnect_delay_ms_ =
        transport->reconnect_delay_ms_ == 0
            ? kFirstReconnectDelayMs
            : std::min(transport->reconnect_delay_ms_ * 2, kMaxReconnectDelayMs);
    transport->schedule_retry(transport->reconnect_delay_ms_);
    return;
  }
  transport->connected(connection);
}

void Transport::connected(GDBusConnection* connection) {
  connection_.reset(connection);
  // A private connection: its closing must never end the application.
  g_dbus_connection_set_exit_on_close(connection, FALSE);
  closed_handler_ = metrics::SignalConnection(connection, "closed", G_CALLBACK(on_closed), this);
  // Subscribed before the first call is sent, so an owner that appears after a call found
  // none is always seen.
  owner_subscription_ = g_dbus_connection_signal_subscribe(
      connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
      "/org/freedesktop/DBus", kBusName, G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, this,
      nullptr);
  reconnect_delay_ms_ = 0;
  paused_ = false;
  retry_source_.reset();
  pump();
}

void Transport::on_closed(GDBusConnection* /*connection*/, gboolean /*remote_peer_vanished*/,
                          GError* /*error*/, gpointer self) {
  static_cast<Transport*>(self)->connection_closed();
}

void Transport::connection_closed() {
  g_debug("Connection to the system bus closed; reconnecting.");
  if (owner_subscription_ != 0) {
    g_dbus_connection_signal_unsubscribe(connection_.get(), owner_subscription_);
    owner_subscription_ = 0;
  }
  closed_handler_ = metrics::SignalConnection();
  connection_.reset();
  paused_ = false;
  reconnect_delay_ms_ = kFirstReconnectDelayMs;
  schedule_retry(reconnect_delay_ms_);
}

void Transport::on_name_owner_changed(GDBusConnection* /*connection*/, const gchar* /*sender*/,
                                      const gchar* /*path*/, const gchar* /*interface*/,
                                      const gchar* /*signal*/, GVariant* parameters,
                                      gpointer self) {
  const gchar* new_owner = nullptr;
  g_variant_get(parameters, "(&s&s&s)", nullptr, nullptr, &new_owner);
  if (new_owner != nullptr && new_owner[0] != '\0') static_cast<Transport*>(self)->owner_appeared();
}

void Transport::owner_appeared() {
  if (!paused_) return;
  paused_ = false;
  retry_source_.reset();
  pump();
}

void Transport::schedule_retry(guint delay_ms) {
  retry_source_.reset(g_timeout_source_new(delay_ms));
  g_source_set_callback(retry_source_.get(), on_retry, this, nullptr);
  g_source_attach(retry_source_.get(), context_.get());
}

gboolean Transport::on_retry(gpointer self) {
  static_cast<Transport*>(self)->retry();
  return G_SOURCE_REMOVE;
}

void Transport::retry() {
  if (!connection_) {
    connect();
    return;
  }
  paused_ = false;
  pump();
}

void Transport::pump() {
  while (connection_ && !paused_ && in_flight_ < kMaxInFlight) {
    std::optional<OutgoingCall> next;
    {
      std::lock_guard lock(mutex_);
      next = queue_.pop();
      if (!next) {
        overflowing_ = false;
        break;
      }
    }
    send(std::move(*next));
  }
}

void Transport::send(OutgoingCall call) {
  if (!call.parameters && call.event) {
    call.parameters = metrics::adopt_variant(call.event->to_parameters());
  }
  auto pending = std::make_unique<Pending>(Pending{this, std::move(call)});
  const OutgoingCall& c = pending->call;
  ++in_flight_;
  g_dbus_connection_call(connection_.get(), kBusName, c.path(), c.interface, c.method,
                         c.parameters.get(), nullptr, c.flags, kCallTimeoutMs, nullptr,
                         on_call_done, pending.release());
}

void Transport::on_call_done(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(data));
  metrics::GErrorOut error;
  metrics::GVariantPtr reply(
      g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, error.out()));
  pending->transport->finish(std::move(pending->call), reply.get(), error.get());
}

void Transport::finish(OutgoingCall call, GVariant* reply, const GError* error) {
  --in_flight_;
  const bool unowned = error != nullptr && recorder_unowned(error);
  const bool over_limit =
      error != nullptr && g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED);
  if ((unowned && call.resend_when_unowned) || over_limit) {
    // The call never reached a recorder: hold it, and everything after it, until one is
    // there (NameOwnerChanged) or the limit has had time to clear.
    {
      std::lock_guard lock(mutex_);
      queue_.requeue(std::move(call));
    }
    if (!paused_ || over_limit) {
      paused_ = true;
      schedule_retry(over_limit ? kLimitsRetryMs : kUnownedRetryMs);
    }
    return;
  }
  if (error != nullptr && !unowned) report_failure(call, error);
  if (call.on_reply) call.on_reply(reply, error);
  progress_.answered(call.seq);
  pump();
}

void Transport::report_failure(const OutgoingCall& call, const GError* error) {
  // One line per failure would flood the journal when the recorder refuses a burst.
  ++failures_;
  if (failures_ <= 10 || failures_ % 1000 == 0) {
    g_warning("The metrics recorder refused %s (%" G_GUINT64_FORMAT " %s so far): %s", call.method,
              failures_, failures_ == 1 ? "failure" : "failures", error->message);
  }
}

}  // namespace emtr
