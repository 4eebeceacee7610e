// SPDX-License-Identifier: GPL-2.0-or-later
#include "gdbus_compat.hpp"

#include <glib.h>

#include <cstring>

#include "error_code.hpp"

namespace metrics::bus {

namespace {

constexpr const char* kProperties = "org.freedesktop.DBus.Properties";
// The table's names are string literals, so their data() ends in a NUL.
const char* const kInvalidArgs = error_dbus_name(ErrorCode::kInvalidArgs).data();
const char* const kUnknownMethod = error_dbus_name(ErrorCode::kUnknownMethod).data();

bool starts_with(const char* text, const std::string& prefix) {
  return text && std::strncmp(text, prefix.c_str(), prefix.size()) == 0;
}

}  // namespace

GDBusCompat::GDBusCompat(sd_bus* bus, std::string object_path, std::string timer_path_prefix)
    : bus_(bus),
      object_path_(std::move(object_path)),
      timer_path_prefix_(std::move(timer_path_prefix)) {}

void GDBusCompat::add_interface(const std::string& interface, const sd_bus_vtable* vtable) {
  auto& names = properties_[interface];
  for (const sd_bus_vtable* v = vtable; v->type != _SD_BUS_VTABLE_END; ++v) {
    if (v->type == _SD_BUS_VTABLE_PROPERTY || v->type == _SD_BUS_VTABLE_WRITABLE_PROPERTY)
      names.insert(v->x.property.member);
  }
}

Result<void> GDBusCompat::start() {
  sd_bus_slot* slot = nullptr;
  const int r = sd_bus_add_fallback(bus_, &slot, object_path_.c_str(), &GDBusCompat::on_call, this);
  if (r < 0)
    return Error{ErrorCode::kBusFailure,
                 std::string("cannot install the GDBus-compatible answers: ") + g_strerror(-r)};
  slot_.reset(slot);
  return Ok();
}

int GDBusCompat::property_call(sd_bus_message* m, bool is_set, bool on_timer) {
  const char* interface = nullptr;
  const char* name = nullptr;
  const int read = sd_bus_message_read(m, "ss", &interface, &name);
  // Let sd-bus read the arguments again (and answer a malformed call itself).
  sd_bus_message_rewind(m, true);
  if (read < 0) return 0;
  const auto it = on_timer ? properties_.end() : properties_.find(interface);
  if (it == properties_.end())
    return sd_bus_reply_method_errorf(m, kInvalidArgs, "No such interface “%s”", interface);
  if (!it->second.contains(name))
    return sd_bus_reply_method_errorf(m, kInvalidArgs, "No such property “%s”", name);
  if (is_set)
    return sd_bus_reply_method_errorf(m, kInvalidArgs, "Property “%s” is not writable", name);
  return 0;  // a Get of a property that exists: sd-bus answers it
}

int GDBusCompat::on_call(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<GDBusCompat*>(userdata);
  const char* path = sd_bus_message_get_path(m);
  const char* interface = sd_bus_message_get_interface(m);
  if (!path) return 0;
  const bool on_main = self->object_path_ == path;
  const bool on_timer = starts_with(path, self->timer_path_prefix_);
  if (!on_main && !on_timer) return 0;
  if (sd_bus_message_is_method_call(m, kProperties, "Get"))
    return self->property_call(m, false, on_timer);
  if (sd_bus_message_is_method_call(m, kProperties, "Set"))
    return self->property_call(m, true, on_timer);
  // A timer path reaches this fallback only when no timer object answered the call: the
  // timer stopped (or never was). Introspection and the like stay sd-bus's.
  if (on_timer && (!interface || !starts_with(interface, "org.freedesktop.DBus."))) {
    return sd_bus_reply_method_errorf(m, kUnknownMethod,
                                      "No such interface “%s” on object at path %s",
                                      interface ? interface : "", path);
  }
  return 0;
}

}  // namespace metrics::bus
