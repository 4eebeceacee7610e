// SPDX-License-Identifier: GPL-2.0-or-later
// Who is calling: the uid comes from the bus (GetConnectionCredentials), never from
// the method arguments. Looked up once per connection and cached until that
// connection leaves the bus, which is also when its timers must stop.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "recorder.hpp"
#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class CallerRegistry {
 public:
  using VanishedFn = std::function<void(const std::string& connection)>;
  CallerRegistry(sd_bus* bus, VanishedFn on_vanished);

  // Subscribes to the bus's NameOwnerChanged: one match rule for all callers, so the
  // bus's per-connection match limit never caps how many clients we can follow.
  Result<void> start();
  Result<Caller> caller_of(sd_bus_message* m);

 private:
  static int on_name_owner_changed(sd_bus_message* m, void* userdata, sd_bus_error*);

  sd_bus* bus_;
  VanishedFn on_vanished_;
  SlotPtr match_;
  std::unordered_map<std::string, uint32_t> uids_;
};

}  // namespace metrics::bus
