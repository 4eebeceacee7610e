// SPDX-License-Identifier: GPL-2.0-or-later
// The original recorder answered through GDBus; where sd-bus's generic answers have other
// error names, callers written against the original can tell. This answers those cases
// as GDBus does, under /com/endlessm/Metrics:
// * a call to a timer object that no longer exists: UnknownMethod (sd-bus: UnknownObject);
// * Properties.Set of a property (all of ours are read-only): InvalidArgs (sd-bus:
//   PropertyReadOnly);
// * Properties.Get or Set of a property the interface does not have, or of an interface
//   the object does not have: InvalidArgs (sd-bus: UnknownProperty).
// Everything else is left to sd-bus.
#pragma once

#include <map>
#include <set>
#include <string>

#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class GDBusCompat {
 public:
  GDBusCompat(sd_bus* bus, std::string object_path, std::string timer_path_prefix);

  // The properties `interface` has on the main object, as its vtable declares them.
  void add_interface(const std::string& interface, const sd_bus_vtable* vtable);
  // Installs the handler (a fallback on the main object: it sees the main object's
  // calls first, and the timer paths' calls that no timer object answered).
  Result<void> start();

 private:
  static int on_call(sd_bus_message* m, void* userdata, sd_bus_error*);
  int property_call(sd_bus_message* m, bool is_set, bool on_timer);

  sd_bus* bus_;
  std::string object_path_;
  std::string timer_path_prefix_;
  std::map<std::string, std::set<std::string>> properties_;
  SlotPtr slot_;
};

}  // namespace metrics::bus
