#include "callers.hpp"

#include <cstring>

namespace metrics::bus {

CallerRegistry::CallerRegistry(sd_bus* bus, VanishedFn on_vanished)
    : bus_(bus), on_vanished_(std::move(on_vanished)) {}

Result<Caller> CallerRegistry::caller_of(sd_bus_message* m) {
  const char* sender = sd_bus_message_get_sender(m);
  if (!sender)
    return Error{"AccessDenied", "the call carries no sender; cannot identify the caller"};
  if (auto it = entries_.find(sender); it != entries_.end()) return Caller{sender, it->second->uid};

  sd_bus_creds* raw = nullptr;
  const int r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID, &raw);
  CredsPtr creds(raw);
  uid_t uid = 0;
  if (r < 0 ||
      (sd_bus_creds_get_euid(creds.get(), &uid) < 0 && sd_bus_creds_get_uid(creds.get(), &uid) < 0))
    return Error{"AccessDenied",
                 std::string("cannot determine the caller's user: ") + std::strerror(-r)};

  auto entry = std::make_unique<Entry>(Entry{this, sender, static_cast<uint32_t>(uid), nullptr});
  sd_bus_track* track = nullptr;
  if (sd_bus_track_new(bus_, &track, &CallerRegistry::on_track_empty, entry.get()) >= 0) {
    entry->track.reset(track);
    if (sd_bus_track_add_sender(track, m) < 0) entry->track.reset();
  }
  const Caller caller{sender, entry->uid};
  // Without a track we cannot learn when it leaves: do not cache it then.
  if (entry->track) entries_.emplace(sender, std::move(entry));
  return caller;
}

int CallerRegistry::on_track_empty(sd_bus_track*, void* userdata) {
  auto* entry = static_cast<Entry*>(userdata);
  CallerRegistry* self = entry->registry;
  const std::string name = entry->name;
  self->entries_.erase(name);  // destroys entry and its track
  if (self->on_vanished_) self->on_vanished_(name);
  return 0;
}

}  // namespace metrics::bus
