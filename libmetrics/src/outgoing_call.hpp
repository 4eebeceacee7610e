// SPDX-License-Identifier: LGPL-2.1-or-later
// One method call to the recorder, waiting to be sent or in flight.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "bus_names.hpp"
#include "event_args.hpp"
#include "glib_handles.hpp"

namespace emtr {

struct OutgoingCall {
  const char* interface = kServerInterface;
  const char* method = nullptr;
  std::string object_path;          // empty: the recorder's main object
  metrics::GVariantPtr parameters;  // built from `event` when that is set
  std::optional<EventArgs> event;
  GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;
  // Sent again once the recorder is back when it had no owner (the call never reached
  // it). Off for calls that only make sense to the instance that was there (StopTimer).
  bool resend_when_unowned = true;
  // Runs on the delivery thread when the call is answered or given up.
  std::function<void(GVariant* reply, const GError* error)> on_reply;
  std::uint64_t seq = 0;  // set by the queue; keeps resent calls in their original order

  const char* path() const { return object_path.empty() ? kObjectPath : object_path.c_str(); }
};

}  // namespace emtr
