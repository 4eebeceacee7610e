// SPDX-License-Identifier: GPL-2.0-or-later
#include "polkit.hpp"

#include <glib.h>

#include <cstring>

namespace metrics::bus {

namespace {
constexpr uint64_t kTimeoutUs = 300ull * 1000 * 1000;  // room for a person to type a password
constexpr uint32_t kAllowUserInteraction = 1;
}  // namespace

void Polkit::check(sd_bus_message* call, const std::string& action, Done done) {
  auto pending = std::make_unique<Pending>(Pending{this, action, std::move(done), nullptr});
  const char* sender = sd_bus_message_get_sender(call);
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(
      bus_, &raw, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
      "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
  MessagePtr request(raw);
  const uint32_t flags =
      sd_bus_message_get_allow_interactive_authorization(call) > 0 ? kAllowUserInteraction : 0;
  if (r >= 0)
    r = sd_bus_message_append(request.get(), "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
                              sender ? sender : "", action.c_str(), 0, flags, "");
  sd_bus_slot* slot = nullptr;
  if (r >= 0)
    r = sd_bus_call_async(bus_, &slot, request.get(), &Polkit::on_reply, pending.get(), kTimeoutUs);
  if (r < 0) {
    pending->done(Error{ErrorCode::kAuthFailed,
                        std::string("cannot ask polkit for authorization: ") + g_strerror(-r)});
    return;
  }
  pending->slot.reset(slot);
  pending_.push_back(std::move(pending));
}

int Polkit::on_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* pending = static_cast<Pending*>(userdata);
  Polkit* self = pending->owner;
  if (const sd_bus_error* e = sd_bus_message_get_error(reply)) {
    self->finish(pending, Error{ErrorCode::kAuthFailed, std::string("polkit could not check ") +
                                                            pending->action + ": " +
                                                            (e->message ? e->message : e->name)});
    return 0;
  }
  int authorized = 0, challenge = 0;
  if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
      sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0) {
    self->finish(pending, Error{ErrorCode::kAuthFailed, "polkit sent an unreadable answer"});
    return 0;
  }
  if (authorized)
    self->finish(pending, Ok());
  else
    self->finish(pending, Error{ErrorCode::kAuthFailed,
                                "not authorized to perform " + pending->action +
                                    (challenge ? " (authentication required)" : "")});
  return 0;
}

void Polkit::finish(Pending* pending, Result<void> result) {
  Done done = std::move(pending->done);
  // sd-bus holds its own reference to the slot while this callback runs, so dropping
  // ours here is safe.
  pending_.remove_if([pending](const auto& p) { return p.get() == pending; });
  done(std::move(result));
}

}  // namespace metrics::bus
