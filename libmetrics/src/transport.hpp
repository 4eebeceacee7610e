// SPDX-License-Identifier: LGPL-2.1-or-later
// Delivery of calls to the recorder, off the caller's thread.
//
// One per process: a thread with its own main context owns a private connection to the
// system bus, made in the background so that no caller ever waits for the bus. Calls
// queue (bounded, oldest kept) until the connection is up and the recorder has an owner;
// at most kMaxInFlight are awaiting a reply at any time, far below the bus's limit of
// pending replies per connection (128 on the system bus), so a burst never loses events
// to LimitsExceeded. Calls that reach no recorder (it is restarting or not yet started)
// are sent again when the name gets an owner; a closed connection is re-made.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "call_queue.hpp"
#include "delivery_progress.hpp"
#include "glib_context.hpp"
#include "glib_handles.hpp"
#include "outgoing_call.hpp"

namespace emtr {

class Transport {
 public:
  static constexpr int kMaxInFlight = 64;
  static constexpr std::size_t kMaxQueued = 50'000;
  // A _sync call gives up when the recorder answered no call of this process for this
  // long (not after this long in all: a long queue that keeps draining is waited for).
  static constexpr std::chrono::milliseconds kSyncStallTimeout{5'000};

  // The process's transport; starts its thread on first use. Never destroyed, so that
  // timers and late callers stay safe while the process exits.
  static Transport& get();

  // Queues `call`. False when the queue is full and the call was dropped.
  bool submit(OutgoingCall call);
  // Queues `call` and waits until it and every call queued before it have been answered.
  // False (with a warning that says how many calls were not delivered) when the recorder
  // answered nothing for `stall_timeout`, or when the call was dropped.
  bool submit_and_wait(OutgoingCall call,
                       std::chrono::milliseconds stall_timeout = kSyncStallTimeout);

  // Only get() can make one: a transport is a process-wide singleton.
  class Key {
    friend class Transport;
    Key() = default;
  };
  explicit Transport(Key);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport() = default;

 private:
  struct Pending;

  void run();
  // Queues `call`; its number, or nullopt when the queue was full and it was dropped.
  std::optional<std::uint64_t> enqueue(OutgoingCall call);

  // Everything below runs on the delivery thread only.
  void connect();
  void connected(GDBusConnection* connection);
  void retry();
  void schedule_retry(guint delay_ms);
  void pump();
  void send(OutgoingCall call);
  void finish(OutgoingCall call, GVariant* reply, const GError* error);
  void report_failure(const OutgoingCall& call, const GError* error);
  void connection_closed();
  void owner_appeared();

  static void on_connected(GObject* source, GAsyncResult* result, gpointer self);
  static void on_call_done(GObject* source, GAsyncResult* result, gpointer pending);
  static void on_closed(GDBusConnection* connection, gboolean remote_peer_vanished, GError* error,
                        gpointer self);
  static void on_name_owner_changed(GDBusConnection* connection, const gchar* sender,
                                    const gchar* path, const gchar* interface, const gchar* signal,
                                    GVariant* parameters, gpointer self);
  static gboolean on_wake(gpointer self);
  static gboolean on_retry(gpointer self);

  std::mutex mutex_;
  CallQueue queue_{kMaxQueued};  // guarded by mutex_
  bool overflowing_ = false;     // guarded by mutex_
  std::uint64_t dropped_ = 0;    // guarded by mutex_
  DeliveryProgress progress_;    // thread-safe itself

  GMainContextPtr context_;
  metrics::GSourcePtr wake_source_;  // ready when a caller queued into an empty queue

  // Delivery thread state.
  metrics::GSourcePtr retry_source_;
  metrics::GObjectPtr<GDBusConnection> connection_;
  metrics::SignalConnection closed_handler_;
  guint owner_subscription_ = 0;
  bool paused_ = false;  // the recorder had no owner: wait for one before sending more
  int in_flight_ = 0;
  guint reconnect_delay_ms_ = 0;
  std::uint64_t failures_ = 0;
};

}  // namespace emtr
