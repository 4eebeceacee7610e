// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for the sd-bus / sd-event objects used by the benchmark programs.
// Every sd-bus object in bench/ is held by one of these so nothing leaks on early returns.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <memory>

namespace bench {

struct BusDeleter {
  // flush_close so queued replies/calls reach the broker before the socket goes away.
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MessageDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct SlotDeleter {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
struct EventDeleter {
  void operator()(sd_event* e) const { sd_event_unref(e); }
};
struct EventSourceDeleter {
  void operator()(sd_event_source* s) const { sd_event_source_unref(s); }
};

using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageDeleter>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotDeleter>;
using EventPtr = std::unique_ptr<sd_event, EventDeleter>;
using EventSourcePtr = std::unique_ptr<sd_event_source, EventSourceDeleter>;

// Interface of the event recorder daemon; shared so both programs agree on it.
inline constexpr const char* kDefaultName = "com.endlessm.Metrics";
inline constexpr const char* kObjectPath = "/com/endlessm/Metrics";
inline constexpr const char* kInterface = "com.endlessm.Metrics.EventRecorderServer";
inline constexpr const char* kMethod = "RecordSingularEvent";
inline constexpr const char* kSignature = "uayxbv";

}  // namespace bench
