// SPDX-License-Identifier: GPL-2.0-or-later
// Asynchronous polkit checks: the method's reply waits for polkit's answer while the
// loop keeps serving others (an interactive prompt can take minutes).
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <string>

#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class Polkit {
 public:
  using Done = std::function<void(Result<void>)>;
  explicit Polkit(sd_bus* bus) : bus_(bus) {}
  // Asks polkit whether the sender of `call` may perform `action`; interactive
  // authentication is allowed when the call carries that flag.
  void check(sd_bus_message* call, const std::string& action, Done done);

 private:
  struct Pending {
    Polkit* owner;
    std::string action;
    Done done;
    SlotPtr slot;
  };
  static int on_reply(sd_bus_message* reply, void* userdata, sd_bus_error*);
  void finish(Pending* pending, Result<void> result);

  sd_bus* bus_;
  std::list<std::unique_ptr<Pending>> pending_;
};

}  // namespace metrics::bus
