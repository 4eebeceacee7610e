// SPDX-License-Identifier: GPL-2.0-or-later
#include "callers.hpp"

#include <glib.h>

#include <cstring>

namespace metrics::bus {

namespace {
// The sender the bus driver's own messages carry; no client can own this name.
constexpr const char* kBusDriver = "org.freedesktop.DBus";
}  // namespace

CallerRegistry::CallerRegistry(sd_bus* bus, VanishedFn on_vanished)
    : bus_(bus), on_vanished_(std::move(on_vanished)) {}

Result<void> CallerRegistry::start() {
  sd_bus_slot* slot = nullptr;
  const int r =
      sd_bus_match_signal(bus_, &slot, kBusDriver, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "NameOwnerChanged", &CallerRegistry::on_name_owner_changed, this);
  if (r < 0)
    return Error{ErrorCode::kBusFailure,
                 std::string("cannot follow clients leaving the bus: ") + g_strerror(-r)};
  match_.reset(slot);
  return Ok();
}

Result<Caller> CallerRegistry::caller_of(sd_bus_message* m) {
  const char* sender = sd_bus_message_get_sender(m);
  if (!sender)
    return Error{ErrorCode::kAccessDenied,
                 "the call carries no sender; cannot identify the caller"};
  if (auto it = uids_.find(sender); it != uids_.end()) return Caller{sender, it->second};

  // The bus answers this before it could announce the sender's departure, so a sender
  // that leaves later is always seen leaving after it was cached.
  sd_bus_creds* raw = nullptr;
  const int r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID, &raw);
  CredsPtr creds(raw);
  uid_t uid = 0;
  if (r < 0 ||
      (sd_bus_creds_get_euid(creds.get(), &uid) < 0 && sd_bus_creds_get_uid(creds.get(), &uid) < 0))
    return Error{ErrorCode::kAccessDenied, std::string("cannot determine the caller's user: ") +
                                               g_strerror(r < 0 ? -r : EIO)};
  uids_.emplace(sender, static_cast<uint32_t>(uid));
  return Caller{sender, static_cast<uint32_t>(uid)};
}

int CallerRegistry::on_name_owner_changed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<CallerRegistry*>(userdata);
  // The match rule names the driver as sender, but a signal sent to us directly (or a
  // rule the bus evaluates differently) reaches this handler whoever sent it: only the
  // bus driver may say that a connection left, or anyone could stop anyone's timers.
  const char* sender = sd_bus_message_get_sender(m);
  if (!sender || std::strcmp(sender, kBusDriver) != 0) return 0;
  const char *name = nullptr, *old_owner = nullptr, *new_owner = nullptr;
  if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0) return 0;
  if (!name || !new_owner) return 0;
  // A unique name losing its owner is a connection that left.
  if (name[0] != ':' || new_owner[0] != '\0') return 0;
  if (self->uids_.erase(name) == 0) return 0;
  if (self->on_vanished_) self->on_vanished_(name);
  return 0;
}

}  // namespace metrics::bus
