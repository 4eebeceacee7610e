// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for sd-bus and sd-event objects: the recorder, its tests, fuzzers and
// benchmarks.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <memory>

namespace metrics::bus {

struct BusUnref {
  // flush_close: queued replies and calls reach the broker before the socket goes away.
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct SlotUnref {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
struct TrackUnref {
  void operator()(sd_bus_track* t) const { sd_bus_track_unref(t); }
};
struct CredsUnref {
  void operator()(sd_bus_creds* c) const { sd_bus_creds_unref(c); }
};
struct EventUnref {
  void operator()(sd_event* e) const { sd_event_unref(e); }
};
struct EventSourceUnref {
  void operator()(sd_event_source* s) const { sd_event_source_unref(s); }
};

using BusPtr = std::unique_ptr<sd_bus, BusUnref>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotUnref>;
using TrackPtr = std::unique_ptr<sd_bus_track, TrackUnref>;
using CredsPtr = std::unique_ptr<sd_bus_creds, CredsUnref>;
using EventPtr = std::unique_ptr<sd_event, EventUnref>;
using EventSourcePtr = std::unique_ptr<sd_event_source, EventSourceUnref>;

inline MessagePtr ref_message(sd_bus_message* m) {
  return MessagePtr(sd_bus_message_ref(m));
}

// sd_bus_error cleared on scope exit.
class BusError {
 public:
  BusError() = default;
  ~BusError() { sd_bus_error_free(&error_); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  sd_bus_error* get() { return &error_; }
  const sd_bus_error* get() const { return &error_; }
  bool is_set() const { return sd_bus_error_is_set(&error_); }
  const char* name() const { return error_.name ? error_.name : ""; }
  const char* message() const { return error_.message ? error_.message : ""; }

 private:
  sd_bus_error error_ = SD_BUS_ERROR_NULL;
};

}  // namespace metrics::bus
